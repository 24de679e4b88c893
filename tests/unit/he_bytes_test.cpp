// Ciphertext bytes: fixed width (bytes of n^2), big-endian, round trip to the same values and
// the same decryption, refusal of a wrong length, zero and values >= n^2, naming the ciphertext.
#include <gtest/gtest.h>

#include <vector>

#include "fedload/he/ciphertext_bytes.hpp"
#include "he_test_support.hpp"

namespace fedload::he {
namespace {

using test::contains;
using test::runtime_error;
using test::seeded_key_1024;

TEST(HeBytes, BigEndianFixedWidthForTheSmallKey) {
  const auto key = PaillierPrivateKey::from_primes(BigInt(11), BigInt(13), KeySizeCheck::kTestOnlyAnySize);
  // n^2 = 20449 needs 2 bytes; 1841 = 0x0731, 5 = 0x0005.
  const std::vector<PaillierCiphertext> cs = {{BigInt(1841)}, {BigInt(5)}};
  const auto bytes = ciphertexts_to_bytes(key.public_key(), cs);
  const std::vector<std::byte> expected = {std::byte{0x07}, std::byte{0x31}, std::byte{0x00}, std::byte{0x05}};
  EXPECT_EQ(bytes, expected);
  const auto back = ciphertexts_from_bytes(key.public_key(), bytes);
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].value, BigInt(1841));
  EXPECT_EQ(back[1].value, BigInt(5));
}

TEST(HeBytes, RoundTripKeepsValuesAndPlaintexts) {
  const auto& key = seeded_key_1024();
  const auto& pub = key.public_key();
  SeededRandom random(21, 0);
  std::vector<PaillierCiphertext> cs;
  for (std::uint64_t m : {0ull, 1ull, 99ull, 123456789012345ull}) cs.push_back(pub.encrypt(BigInt(m), random));
  const auto bytes = ciphertexts_to_bytes(pub, cs);
  EXPECT_EQ(bytes.size(), cs.size() * 256);
  const auto back = ciphertexts_from_bytes(pub, bytes);
  ASSERT_EQ(back.size(), cs.size());
  for (std::size_t i = 0; i < cs.size(); ++i) EXPECT_EQ(back[i].value, cs[i].value);
  EXPECT_EQ(key.decrypt(back[3]), BigInt(123456789012345ull));
  EXPECT_TRUE(ciphertexts_from_bytes(pub, {}).empty());
}

TEST(HeBytes, RefusesMalformedInput) {
  const auto& key = seeded_key_1024();
  const auto& pub = key.public_key();
  SeededRandom random(22, 0);
  const std::vector<PaillierCiphertext> cs = {pub.encrypt(BigInt(1), random), pub.encrypt(BigInt(2), random)};
  auto bytes = ciphertexts_to_bytes(pub, cs);
  const std::span<const std::byte> short_by_one(bytes.data(), bytes.size() - 1);
  EXPECT_TRUE(contains(runtime_error([&] { ciphertexts_from_bytes(pub, short_by_one); }), "whole number of 256-byte"));
  // The second ciphertext replaced by n^2 itself.
  pub.n_squared().write_big_endian(std::span<std::byte>(bytes).subspan(256, 256));
  EXPECT_TRUE(contains(runtime_error([&] { ciphertexts_from_bytes(pub, bytes); }), "ciphertext 1 of 2 is too large"));
  std::fill(bytes.begin(), bytes.begin() + 256, std::byte{0});
  EXPECT_TRUE(contains(runtime_error([&] { ciphertexts_from_bytes(pub, bytes); }), "ciphertext 0 of 2 is 0"));
  std::vector<std::byte> wrong(100);
  EXPECT_TRUE(contains(runtime_error([&] { write_ciphertexts(pub, cs, wrong); }), "need 512 bytes"));
}

}  // namespace
}  // namespace fedload::he
