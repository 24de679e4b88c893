// Paillier: a known answer computed by hand with tiny primes, round trips through both
// decryption paths, ciphertexts that decrypt to the sum and to a multiple, reproducible seeded
// keys of the exact size, and refusals that name the problem.
#include <gtest/gtest.h>

#include <vector>

#include "fedload/he/paillier.hpp"
#include "he_test_support.hpp"

namespace fedload::he {
namespace {

using test::contains;
using test::input_error;
using test::runtime_error;
using test::seeded_key_1024;

PaillierPrivateKey tiny_key() {
  return PaillierPrivateKey::from_primes(BigInt(11), BigInt(13), KeySizeCheck::kTestOnlyAnySize);
}

BigInt big(std::uint64_t x) { return BigInt(x); }

TEST(HePaillier, KnownAnswerWithPrimes11And13) {
  // n = 143, n^2 = 20449, g = 144, λ = lcm(10, 12) = 60, μ = 60^-1 mod 143 = 31 (60 * 31 = 1860
  // = 13 * 143 + 1). E(42) with r = 5: 5^143 mod 20449 = 7704, 1 + 42 * 143 = 6007,
  // 6007 * 7704 = 46277928 = 2263 * 20449 + 1841, so c = 1841.
  const auto key = tiny_key();
  const auto& pub = key.public_key();
  EXPECT_EQ(pub.n(), big(143));
  EXPECT_EQ(pub.n_squared(), big(20449));
  EXPECT_EQ(pub.ciphertext_bytes(), 2u);
  const PaillierCiphertext c = pub.encrypt(big(42), big(5));
  EXPECT_EQ(c.value, big(1841));
  EXPECT_EQ(key.decrypt(c), big(42));
  EXPECT_EQ(key.decrypt_without_crt(c), big(42));
  // E(100) with r = 7 is 15160; 1841 * 15160 mod 20449 = 17124 decrypts to 142 = 42 + 100.
  const PaillierCiphertext d = pub.encrypt(big(100), big(7));
  EXPECT_EQ(d.value, big(15160));
  const PaillierCiphertext sum = pub.add(c, d);
  EXPECT_EQ(sum.value, big(17124));
  EXPECT_EQ(key.decrypt(sum), big(142));
  // 42 + 42 + 100 = 184 = 41 mod 143: the sum wraps modulo n.
  EXPECT_EQ(key.decrypt(pub.add(sum, c)), big(41));
  // 1841^3 mod 20449 = 1604 decrypts to 126 = 3 * 42.
  const PaillierCiphertext triple = pub.multiply(c, big(3));
  EXPECT_EQ(triple.value, big(1604));
  EXPECT_EQ(key.decrypt(triple), big(126));
  // The private key's encryption with r = 5: y_p = (5 mod 11)^11 mod 121 = 27, y_q = 5^13 mod 169
  // = 70, y = 8013 (8013 = 27 mod 121, = 70 mod 169), c = 6007 * 8013 mod 20449 = 17594. It is
  // E(42) with nonce s = 47: s = 5^(13^-1 mod 10) = 5^7 = 3 (mod 11), s = 5^(11^-1 mod 12) = 5^11
  // = 8 (mod 13).
  const PaillierCiphertext e = key.encrypt(big(42), big(5));
  EXPECT_EQ(e.value, big(17594));
  EXPECT_EQ(pub.encrypt(big(42), big(47)).value, big(17594));
  EXPECT_EQ(key.decrypt(e), big(42));
}

TEST(HePaillier, RoundTripsThroughBothDecryptions) {
  const auto& key = seeded_key_1024();
  const auto& pub = key.public_key();
  SeededRandom random(1, 1);
  BigInt n_minus_1;
  mpz_sub_ui(n_minus_1.mut(), pub.n().get(), 1);
  std::vector<BigInt> messages = {BigInt(0), BigInt(1), n_minus_1, BigInt(~std::uint64_t{0})};
  for (int i = 0; i < 6; ++i) {
    BigInt m = random_bits(random, pub.modulus_bits());
    mpz_mod(m.mut(), m.get(), pub.n().get());
    messages.push_back(m);
  }
  for (const BigInt& m : messages) {
    const PaillierCiphertext c = pub.encrypt(m, random);
    EXPECT_EQ(key.decrypt(c), m) << m.to_string(16);
    EXPECT_EQ(key.decrypt_without_crt(c), m) << m.to_string(16);
    const PaillierCiphertext c2 = key.encrypt(m, random);
    EXPECT_EQ(key.decrypt(c2), m) << m.to_string(16);
  }
}

TEST(HePaillier, CrtEncryptionIsPublicEncryptionWithTheDerivedNonce) {
  // key.encrypt(m, r) = public_key().encrypt(m, s), s = r^(q^-1 mod (p-1)) mod p and
  // r^(p^-1 mod (q-1)) mod q (paillier.hpp), at full size.
  const auto& key = seeded_key_1024();
  const BigInt& p = key.p();
  const BigInt& q = key.q();
  BigInt pm1, qm1, ep, eq, sp, sq, q_inv_p, s;
  mpz_sub_ui(pm1.mut(), p.get(), 1);
  mpz_sub_ui(qm1.mut(), q.get(), 1);
  ASSERT_NE(mpz_invert(ep.mut(), q.get(), pm1.get()), 0);
  ASSERT_NE(mpz_invert(eq.mut(), p.get(), qm1.get()), 0);
  ASSERT_NE(mpz_invert(q_inv_p.mut(), q.get(), p.get()), 0);
  SeededRandom random(2, 0);
  for (int i = 0; i < 3; ++i) {
    const BigInt r = random_unit(random, key.public_key().n());
    mpz_powm(sp.mut(), r.get(), ep.get(), p.get());
    mpz_powm(sq.mut(), r.get(), eq.get(), q.get());
    mpz_sub(s.mut(), sp.get(), sq.get());  // s = sq + q ((sp - sq) q^-1 mod p)
    mpz_mul(s.mut(), s.get(), q_inv_p.get());
    mpz_mod(s.mut(), s.get(), p.get());
    mpz_mul(s.mut(), s.get(), q.get());
    mpz_add(s.mut(), s.get(), sq.get());
    const BigInt m(1000u + static_cast<unsigned>(i));
    EXPECT_EQ(key.encrypt(m, r).value, key.public_key().encrypt(m, s).value);
  }
}

TEST(HePaillier, EncryptionIsRandomized) {
  const auto& key = seeded_key_1024();
  OsRandom random;
  const PaillierCiphertext a = key.public_key().encrypt(BigInt(7), random);
  const PaillierCiphertext b = key.public_key().encrypt(BigInt(7), random);
  EXPECT_FALSE(a.value == b.value);
  EXPECT_EQ(key.decrypt(a), key.decrypt(b));
}

TEST(HePaillier, ProductOfCiphertextsDecryptsToTheSum) {
  const auto& key = seeded_key_1024();
  const auto& pub = key.public_key();
  SeededRandom random(3, 0);
  BigInt expected;
  PaillierCiphertext acc = pub.encrypt(BigInt(0), random);
  for (int i = 0; i < 20; ++i) {
    const BigInt m = random_bits(random, pub.modulus_bits() - 8);  // 20 of them stay below n
    mpz_add(expected.mut(), expected.get(), m.get());
    pub.add_to(acc, pub.encrypt(m, random));
  }
  EXPECT_EQ(key.decrypt(acc), expected);
  // A scalar multiple of the sum.
  mpz_mul_ui(expected.mut(), expected.get(), 5);
  mpz_mod(expected.mut(), expected.get(), pub.n().get());
  EXPECT_EQ(key.decrypt(pub.multiply(acc, BigInt(5))), expected);
}

TEST(HePaillier, SeededKeysAreReproducibleAndOfTheExactSize) {
  SeededRandom a(77, 0), b(77, 0), c(78, 0);
  const auto ka = generate_paillier_key(1024, a);
  const auto kb = generate_paillier_key(1024, b);
  const auto kc = generate_paillier_key(1024, c);
  EXPECT_EQ(ka.public_key().n(), kb.public_key().n());
  EXPECT_FALSE(ka.public_key().n() == kc.public_key().n());
  for (const auto* k : {&ka, &kc}) {
    EXPECT_EQ(k->public_key().modulus_bits(), 1024u);
    EXPECT_EQ(k->p().bits(), 512u);
    EXPECT_EQ(k->q().bits(), 512u);
    EXPECT_EQ(k->public_key().ciphertext_bytes(), 256u);
  }
  EXPECT_FALSE(a.secure());
  EXPECT_TRUE(OsRandom().secure());
}

TEST(HePaillier, OsRandomKeyOf2048Bits) {
  OsRandom random;
  const auto key = generate_paillier_key(2048, random);
  EXPECT_EQ(key.public_key().modulus_bits(), 2048u);
  EXPECT_EQ(key.p().bits(), 1024u);
  EXPECT_EQ(key.public_key().ciphertext_bytes(), 512u);
  const PaillierCiphertext c = key.encrypt(BigInt(123456789), random);
  EXPECT_EQ(key.decrypt(c), BigInt(123456789));
}

TEST(HePaillier, RefusesSmallOddAndMalformedKeys) {
  SeededRandom random(5, 0);
  EXPECT_TRUE(contains(input_error([&] { generate_paillier_key(512, random); }), "at least 1024 bits"));
  EXPECT_TRUE(contains(input_error([&] { generate_paillier_key(1025, random); }), "must be even"));
  EXPECT_TRUE(contains(input_error([&] { PaillierPrivateKey::from_primes(BigInt(11), BigInt(13)); }),
                       "8-bit modulus is too small"));
  EXPECT_TRUE(contains(input_error([&] { PaillierPublicKey(BigInt(143)); }), "too small"));
  EXPECT_TRUE(contains(input_error([&] { PaillierPublicKey(BigInt(144), KeySizeCheck::kTestOnlyAnySize); }), "odd"));
  EXPECT_TRUE(contains(input_error([&] {
                         PaillierPrivateKey::from_primes(BigInt(15), BigInt(13), KeySizeCheck::kTestOnlyAnySize);
                       }),
                       "15 is not an odd prime"));
  EXPECT_TRUE(contains(input_error([&] {
                         PaillierPrivateKey::from_primes(BigInt(13), BigInt(13), KeySizeCheck::kTestOnlyAnySize);
                       }),
                       "must differ"));
  EXPECT_TRUE(contains(input_error([&] {
                         PaillierPrivateKey::from_primes(BigInt(7), BigInt(13), KeySizeCheck::kTestOnlyAnySize);
                       }),
                       "same bit length"));
}

TEST(HePaillier, RefusesOutOfRangePlaintextsNoncesAndCiphertexts) {
  const auto key = tiny_key();
  const auto& pub = key.public_key();
  EXPECT_TRUE(contains(runtime_error([&] { pub.encrypt(BigInt(143), BigInt(5)); }), "plaintext out of range"));
  EXPECT_TRUE(contains(runtime_error([&] { pub.encrypt(BigInt(1), BigInt(13)); }), "nonce"));  // gcd(13, 143) = 13
  EXPECT_TRUE(contains(runtime_error([&] { pub.encrypt(BigInt(1), BigInt(0)); }), "nonce"));
  EXPECT_TRUE(contains(runtime_error([&] { key.decrypt(PaillierCiphertext{BigInt(20449)}); }), "not a ciphertext"));
  EXPECT_TRUE(contains(runtime_error([&] { key.decrypt(PaillierCiphertext{BigInt(0)}); }), "not a ciphertext"));
  EXPECT_TRUE(contains(runtime_error([&] { pub.multiply(PaillierCiphertext{BigInt(1841)}, BigInt(143)); }),
                       "scalar out of range"));
}

}  // namespace
}  // namespace fedload::he
