// Packing int64 values into Paillier plaintexts: the slot layout the formulas promise, exact
// int64 sums of K encodings (plain and encrypted) for random vectors whose sums fit and for the
// int64 extremes, K = 1 and K = K_max, lengths that do not fill the last plaintext, refusals;
// and an encrypted sum of fl::encode_fixed terms that equals the exact path's integers.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <vector>

#include "fedload/core/rng.hpp"
#include "fedload/fl/exact_sum.hpp"
#include "fedload/he/encrypted_terms.hpp"
#include "fedload/he/packed_encoder.hpp"
#include "he_test_support.hpp"

namespace fedload::he {
namespace {

using test::contains;
using test::input_error;
using test::runtime_error;
using test::seeded_key_1024;

constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();

using Clients = std::vector<std::vector<std::int64_t>>;

// K vectors of p values, each uniform in [kMin / K, kMax / K], so every column's sum fits int64.
Clients random_clients(std::size_t k, std::size_t p, std::uint64_t seed) {
  CounterRng rng(seed, 0);
  const std::int64_t hi = kMax / static_cast<std::int64_t>(k);
  Clients out(k, std::vector<std::int64_t>(p));
  for (auto& v : out) {
    for (auto& x : v) x = static_cast<std::int64_t>(rng.below(2 * static_cast<std::uint64_t>(hi) + 1)) - hi;
  }
  return out;
}

// Column sums with wrapping (two's complement) arithmetic: the exact sum when it fits, even if
// partial sums overflow.
std::vector<std::int64_t> column_sums(const Clients& clients) {
  std::vector<std::uint64_t> acc(clients[0].size(), 0);
  for (const auto& v : clients) {
    for (std::size_t j = 0; j < v.size(); ++j) acc[j] += static_cast<std::uint64_t>(v[j]);
  }
  return std::vector<std::int64_t>(acc.begin(), acc.end());
}

// Sum of the clients' encodings as plain integers (what decryption of the ciphertext product gives).
std::vector<BigInt> plain_sum(const PackedEncoder& enc, const Clients& clients) {
  std::vector<BigInt> sum(enc.plaintexts_for(clients[0].size()));
  for (const auto& v : clients) {
    const auto e = enc.encode(v);
    for (std::size_t k = 0; k < e.size(); ++k) mpz_add(sum[k].mut(), sum[k].get(), e[k].get());
  }
  return sum;
}

TEST(HePacking, SlotLayoutFollowsTheFormula) {
  // w = 64 + ceil(log2(K_max + 1)), slots = floor((bits(n) - 1) / w)
  EXPECT_EQ(PackedEncoder(2048, 8).slot_bits(), 68u);
  EXPECT_EQ(PackedEncoder(2048, 8).slots(), 30u);
  EXPECT_EQ(PackedEncoder(3072, 8).slots(), 45u);
  EXPECT_EQ(PackedEncoder(1024, 8).slots(), 15u);
  EXPECT_EQ(PackedEncoder(2048, 7).slot_bits(), 67u);
  EXPECT_EQ(PackedEncoder(2048, 1).slot_bits(), 65u);
  EXPECT_EQ(PackedEncoder(2048, 1000).slot_bits(), 74u);
  EXPECT_EQ(PackedEncoder(2048, 8).plaintexts_for(10000), 334u);
  EXPECT_EQ(PackedEncoder(2048, 8).plaintexts_for(0), 0u);
}

TEST(HePacking, PlainSumsOfRandomVectorsDecodeExactly) {
  for (std::uint32_t k_max : {1u, 3u, 8u, 100u}) {
    const PackedEncoder enc(1024, k_max);
    for (std::uint32_t k : {1u, k_max}) {
      for (std::size_t p : {std::size_t{1}, enc.slots(), enc.slots() + 1, 3 * enc.slots() - 1}) {
        const Clients clients = random_clients(k, p, 1000 * k_max + 10 * k + p);
        const auto sums = plain_sum(enc, clients);
        ASSERT_EQ(sums.size(), enc.plaintexts_for(p));
        for (const BigInt& s : sums) EXPECT_LT(s.bits(), 1024u);  // below n: no wrap modulo n
        EXPECT_EQ(enc.decode(sums, k, p), column_sums(clients)) << "K_max " << k_max << " K " << k << " P " << p;
      }
    }
  }
}

TEST(HePacking, Int64ExtremesWithinTheSumBound) {
  const PackedEncoder enc(1024, 4);
  // Columns: each sums to a value in int64 though partial sums may overflow.
  const Clients clients = {
      {kMax, kMin, kMax, kMin, 0, -1, kMax / 4, kMin / 4, kMax, 1},
      {0, 0, kMax, kMin, 0, -1, kMax / 4, kMin / 4, kMin, -1},
      {0, 0, kMin, kMax, 0, -1, kMax / 4, kMin / 4, 0, 0},
      {0, 0, kMin, kMax, 0, -1, kMax / 4, kMin / 4, 0, 0},
  };
  const std::vector<std::int64_t> expected = {kMax, kMin, -2, -2, 0, -4, kMax - 3, kMin, -1, 0};
  EXPECT_EQ(column_sums(clients), expected);
  EXPECT_EQ(enc.decode(plain_sum(enc, clients), 4, expected.size()), expected);
}

TEST(HePacking, EncryptedSumOfKClientsDecryptsToTheExactInt64Sum) {
  const auto& key = seeded_key_1024();
  const PackedEncoder enc(key.public_key().modulus_bits(), 5);
  SeededRandom random(11, 0);
  for (std::uint32_t k : {1u, 5u}) {
    const std::size_t p = 2 * enc.slots() + 7;  // the last plaintext is partly empty
    const Clients clients = random_clients(k, p, 40 + k);
    std::vector<PaillierCiphertext> acc = encrypt_terms(enc, key.public_key(), clients[0], random);
    for (std::size_t i = 1; i < k; ++i) add_terms(key.public_key(), acc, encrypt_terms(enc, key, clients[i], random));
    std::vector<std::int64_t> out(p);
    decrypt_terms(enc, key, acc, k, out);
    EXPECT_EQ(out, column_sums(clients)) << "K " << k;
  }
}

TEST(HePacking, EncryptedSumOfFixedPointUpdatesEqualsTheExactPath) {
  // What fl.aggregation = "paillier" must reproduce: fl's int64 terms of K clients, summed under
  // encryption, are the integers the exact path sums in the clear.
  const std::size_t k = 4, p = 50;
  CounterRng rng(9, 0);
  std::vector<std::vector<float>> delta(k, std::vector<float>(p));
  std::vector<double> coeff(k);
  double bound = 0;
  for (std::size_t i = 0; i < k; ++i) {
    coeff[i] = rng.uniform(0.1, 1.0) / static_cast<double>(k);
    for (auto& x : delta[i]) x = static_cast<float>(0.01 * rng.normal());
    bound = std::max(bound, fl::fixed_point_term_bound(coeff[i], delta[i]));
  }
  const int s = fl::fixed_point_exponent(static_cast<double>(k) * bound);
  std::vector<std::int64_t> exact(p, 0);
  const auto& key = seeded_key_1024();
  const PackedEncoder enc(key.public_key().modulus_bits(), static_cast<std::uint32_t>(k));
  SeededRandom random(12, 0);
  std::vector<PaillierCiphertext> acc;
  for (std::size_t i = 0; i < k; ++i) {
    fl::accumulate_fixed(coeff[i], delta[i], s, exact);
    std::vector<std::int64_t> terms(p);
    fl::encode_fixed(coeff[i], delta[i], s, terms);
    auto c = encrypt_terms(enc, key, terms, random);
    if (i == 0) acc = std::move(c);
    else add_terms(key.public_key(), acc, c);
  }
  std::vector<std::int64_t> decrypted(p);
  decrypt_terms(enc, key, acc, static_cast<std::uint32_t>(k), decrypted);
  EXPECT_EQ(decrypted, exact);
}

TEST(HePacking, RefusesTooManyClientsWrongLengthsAndSumsOutsideInt64) {
  const PackedEncoder enc(1024, 3);
  const Clients four = random_clients(4, 5, 1);
  const auto sums = plain_sum(enc, four);
  EXPECT_TRUE(contains(input_error([&] { enc.decode(sums, 4, 5); }), "sums of 1 to 3 clients"));
  EXPECT_TRUE(contains(input_error([&] { enc.decode(sums, 0, 5); }), "0 clients"));
  EXPECT_TRUE(contains(runtime_error([&] { enc.decode(sums, 3, enc.slots() + 1); }), "need 2 plaintexts, got 1"));
  // kMax + 1 does not fit: the message names the value.
  const Clients over = {{0, kMax}, {0, 1}};
  EXPECT_TRUE(contains(runtime_error([&] { enc.decode(plain_sum(enc, over), 2, 2); }), "value 1 over 2 clients"));
  // A K that is wrong by d shifts every sum by d 2^63: caught for |d| >= 2, and for d = +-1
  // only where the sum has the sign that the shift pushes out of range.
  const Clients two = {{5, -5}, {6, -6}};
  EXPECT_TRUE(contains(runtime_error([&] { enc.decode(plain_sum(enc, two), 3, 2); }), "value 1 over 3 clients"));
  EXPECT_EQ(enc.decode(plain_sum(enc, two), 3, 1)[0], kMin + 11);  // d = +1 on a positive sum: not caught
  const PackedEncoder wide_enc(1024, 8);
  EXPECT_TRUE(contains(runtime_error([&] { wide_enc.decode(plain_sum(wide_enc, two), 4, 2); }), "value 0 over 4 clients"));
  // A plaintext longer than the slots cannot be a sum of encodings.
  BigInt wide;
  mpz_setbit(wide.mut(), enc.slots() * enc.slot_bits());
  const std::vector<BigInt> bad = {wide};
  EXPECT_TRUE(contains(runtime_error([&] { enc.decode(bad, 1, 1); }), "not a sum of encodings"));
  EXPECT_TRUE(contains(input_error([] { PackedEncoder(64, 1); }), "holds no 65-bit slot"));
  EXPECT_TRUE(contains(input_error([] { PackedEncoder(2048, 0); }), "at least 1"));
}

}  // namespace
}  // namespace fedload::he
