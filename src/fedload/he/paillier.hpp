#pragma once
// Paillier's additively homomorphic public-key cryptosystem (P. Paillier, "Public-Key
// Cryptosystems Based on Composite Degree Residuosity Classes", EUROCRYPT 1999), over GMP.
//
//   key        n = p q with p, q primes of equal size, gcd(n, (p-1)(q-1)) = 1; g = n + 1
//   encrypt    c = g^m r^n mod n^2 = (1 + m n) r^n mod n^2, m in [0, n), r uniform in Z*_n
//   decrypt    m = L(c^λ mod n^2) μ mod n, L(x) = (x - 1) / n, λ = lcm(p-1, q-1), μ = λ^-1 mod n
//              (with g = n + 1, L(g^λ mod n^2) = λ mod n); or by the CRT (paper, section 7):
//              m_p = L_p(c^(p-1) mod p^2) h_p mod p, L_p(x) = (x - 1) / p,
//              h_p = L_p(g^(p-1) mod p^2)^-1 mod p, the same for q, then m from (m_p, m_q)
//   add        E(a) E(b) mod n^2 = E(a + b mod n)
//   multiply   E(a)^k mod n^2 = E(k a mod n)
//
// Key sizes: at least kMinModulusBits (1024) bits; 2048 or more for anything that must stay
// secret beyond the near term. The secret values live in GMP integers, which GMP frees without
// wiping: a process's memory can still hold them after the key is destroyed.
#include <cstddef>
#include <cstdint>

#include "fedload/he/big_int.hpp"
#include "fedload/he/random_source.hpp"

namespace fedload::he {

inline constexpr std::size_t kMinModulusBits = 1024;
// mpz_probab_prime_p rounds: GMP 6.2 runs a Baillie-PSW test and then reps - 24 Miller-Rabin
// rounds with random bases; no composite is known to pass Baillie-PSW.
inline constexpr int kPrimeTestRounds = 40;

// Whether a key's size is checked against kMinModulusBits. kTestOnlyAnySize exists for
// known-answer tests with primes small enough to check by hand; it gives no security at all.
enum class KeySizeCheck { kEnforce, kTestOnlyAnySize };

// A ciphertext: an element of Z*_{n^2}, kept apart from plaintext BigInts by its type.
struct PaillierCiphertext {
  BigInt value;
};

class PaillierPublicKey {
 public:
  // n odd and > 1, at least kMinModulusBits bits unless check says otherwise; a
  // fedload::InputError naming the size otherwise.
  explicit PaillierPublicKey(BigInt n, KeySizeCheck check = KeySizeCheck::kEnforce);

  const BigInt& n() const { return n_; }
  const BigInt& n_squared() const { return n2_; }
  std::size_t modulus_bits() const { return n_.bits(); }
  // Bytes of one serialized ciphertext: bytes of n^2.
  std::size_t ciphertext_bytes() const { return n2_.byte_count(); }

  // E(m) with a fresh r from `random`; m in [0, n), else a fedload::Error.
  PaillierCiphertext encrypt(const BigInt& m, RandomSource& random) const;
  // E(m) with the given nonce r in Z*_n (known-answer tests, precomputed nonces); a
  // fedload::Error if m or r is out of range.
  PaillierCiphertext encrypt(const BigInt& m, const BigInt& r) const;
  // E(a + b mod n).
  PaillierCiphertext add(const PaillierCiphertext& a, const PaillierCiphertext& b) const;
  // acc = E(acc's plaintext + c's plaintext mod n), in place.
  void add_to(PaillierCiphertext& acc, const PaillierCiphertext& c) const;
  // E(k m mod n) for 0 <= k < n; a fedload::Error otherwise.
  PaillierCiphertext multiply(const PaillierCiphertext& c, const BigInt& k) const;

  // A fedload::Error unless 0 < c < n^2 (cheap; coprimality with n is not checked).
  void check_ciphertext(const PaillierCiphertext& c) const;

 private:
  void check_plaintext(const BigInt& m) const;
  // (1 + m n) * rn mod n^2, rn = r^n (mod n^2).
  PaillierCiphertext combine(const BigInt& m, const BigInt& rn) const;

  BigInt n_, n2_;
  friend class PaillierPrivateKey;
};

class PaillierPrivateKey {
 public:
  // From the two primes; a fedload::InputError if either is not a probable prime, they are
  // equal, differ in bit length, gcd(pq, (p-1)(q-1)) != 1, or (under kEnforce) pq has fewer
  // than kMinModulusBits bits.
  static PaillierPrivateKey from_primes(BigInt p, BigInt q, KeySizeCheck check = KeySizeCheck::kEnforce);

  const PaillierPublicKey& public_key() const { return pub_; }
  const BigInt& p() const { return p_; }
  const BigInt& q() const { return q_; }

  // m from c by the CRT: two exponentiations mod p^2 and q^2 with (bits/2)-bit exponents.
  BigInt decrypt(const PaillierCiphertext& c) const;
  // m = L(c^λ mod n^2) μ mod n: one exponentiation mod n^2 with a λ-sized exponent; the
  // textbook path, kept as a cross-check and for the benchmark.
  BigInt decrypt_without_crt(const PaillierCiphertext& c) const;
  // E(m) for holders of the secret key (in fedload's design the clients), about as fast as
  // decrypt(): instead of r^n mod n^2 (an n-sized exponent modulo n^2) it computes
  //   y_p = (r mod p)^p mod p^2,  y_q = (r mod q)^q mod q^2,  y = CRT(y_p, y_q) mod n^2,
  //   c = (1 + m n) y mod n^2,
  // two exponentiations with (bits/2)-bit exponents modulo p^2 and q^2. y equals s^n mod n^2
  // for the nonce s with s = r^(q^-1 mod (p-1)) mod p and s = r^(p^-1 mod (q-1)) mod q (x -> x^p
  // mod p^2 depends only on x mod p, and (s^p)^q = s^n mod p^2), so c is an ordinary Paillier
  // ciphertext, E(m) with nonce s; r -> s is a bijection of Z*_n, so for a uniform r the
  // ciphertext has exactly the public key's distribution. It is NOT public_key().encrypt(m, r).
  PaillierCiphertext encrypt(const BigInt& m, RandomSource& random) const;
  PaillierCiphertext encrypt(const BigInt& m, const BigInt& r) const;

 private:
  PaillierPrivateKey(BigInt p, BigInt q, KeySizeCheck check);
  friend PaillierPrivateKey generate_paillier_key(std::size_t modulus_bits, RandomSource& random);

  BigInt p_, q_;
  PaillierPublicKey pub_;
  BigInt lambda_, mu_;                // textbook decryption
  BigInt p2_, q2_, hp_, hq_, q_inv_p_;  // CRT decryption
  BigInt q2_inv_p2_;                  // CRT encryption: (q^2)^-1 mod p^2
};

// A fresh key with an n of exactly modulus_bits bits (even, >= kMinModulusBits, else a
// fedload::InputError): p and q of modulus_bits/2 bits each, top two bits set so their product
// has full length, probable primes after kPrimeTestRounds, p != q, gcd(pq, (p-1)(q-1)) = 1.
// With an OsRandom the key is secret; with a SeededRandom it is reproducible and NOT secure.
PaillierPrivateKey generate_paillier_key(std::size_t modulus_bits, RandomSource& random);
// The InputError generate_paillier_key throws for a size it refuses (< kMinModulusBits, odd), so
// callers can refuse a configured size before any key is made.
void check_key_bits(std::size_t modulus_bits);

}  // namespace fedload::he
