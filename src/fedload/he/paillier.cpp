#include "fedload/he/paillier.hpp"

#include <utility>

#include "fedload/core/error.hpp"

namespace fedload::he {

namespace {

BigInt product(const BigInt& a, const BigInt& b) {
  BigInt out;
  mpz_mul(out.mut(), a.get(), b.get());
  return out;
}

BigInt square(const BigInt& a) { return product(a, a); }

BigInt inverse_mod(const BigInt& a, const BigInt& m) {
  BigInt out;
  if (mpz_invert(out.mut(), a.get(), m.get()) == 0) {
    throw_runtime_error("paillier: {} has no inverse modulo {}", a.to_string(), m.to_string());
  }
  return out;
}

// L_d(x) = (x - 1) / d, exact by construction for x = 1 mod d.
BigInt l_function(const BigInt& x, const BigInt& d) {
  BigInt out;
  mpz_sub_ui(out.mut(), x.get(), 1);
  mpz_divexact(out.mut(), out.get(), d.get());
  return out;
}

// CRT recombination: the x mod (a b) with x = xa mod a, x = xb mod b, given b_inv_a = b^-1 mod a:
// x = xb + b ((xa - xb) b_inv_a mod a).
BigInt crt(const BigInt& xa, const BigInt& a, const BigInt& xb, const BigInt& b, const BigInt& b_inv_a) {
  BigInt t;
  mpz_sub(t.mut(), xa.get(), xb.get());
  mpz_mul(t.mut(), t.get(), b_inv_a.get());
  mpz_mod(t.mut(), t.get(), a.get());
  mpz_mul(t.mut(), t.get(), b.get());
  mpz_add(t.mut(), t.get(), xb.get());
  return t;
}

BigInt random_prime(std::size_t bits, RandomSource& random) {
  for (;;) {
    BigInt c = random_bits(random, bits);
    // Top two bits set: the product of two such primes has exactly 2 * bits bits, since
    // (2^(b-1) + 2^(b-2))^2 = 2.25 * 2^(2b-2) > 2^(2b-1). Low bit set: odd.
    mpz_setbit(c.mut(), bits - 1);
    mpz_setbit(c.mut(), bits - 2);
    mpz_setbit(c.mut(), 0);
    if (mpz_probab_prime_p(c.get(), kPrimeTestRounds) > 0) return c;
  }
}

}  // namespace

// ---- public key ------------------------------------------------------------------------------

PaillierPublicKey::PaillierPublicKey(BigInt n, KeySizeCheck check) : n_(std::move(n)) {
  if (mpz_cmp_ui(n_.get(), 1) <= 0 || mpz_even_p(n_.get())) {
    throw_input_error("paillier: the modulus n must be odd and greater than 1 (got {} bits{})", n_.bits(),
                      mpz_even_p(n_.get()) ? ", even" : "");
  }
  if (check == KeySizeCheck::kEnforce && n_.bits() < kMinModulusBits) {
    throw_input_error("paillier: a {}-bit modulus is too small; keys must have at least {} bits (2048 or more recommended)",
                      n_.bits(), kMinModulusBits);
  }
  mpz_mul(n2_.mut(), n_.get(), n_.get());
}

void PaillierPublicKey::check_plaintext(const BigInt& m) const {
  if (mpz_sgn(m.get()) < 0 || compare(m, n_) >= 0) {
    throw_runtime_error("paillier: plaintext out of range: need 0 <= m < n ({} bits), got {}{} bits",
                        n_.bits(), mpz_sgn(m.get()) < 0 ? "a negative value of " : "", m.bits());
  }
}

void PaillierPublicKey::check_ciphertext(const PaillierCiphertext& c) const {
  if (mpz_sgn(c.value.get()) <= 0 || compare(c.value, n2_) >= 0) {
    throw_runtime_error("paillier: not a ciphertext of this key: need 0 < c < n^2 ({} bits), got {}",
                        n2_.bits(), mpz_sgn(c.value.get()) <= 0 ? std::string("c <= 0") : fmt::format("{} bits", c.value.bits()));
  }
}

PaillierCiphertext PaillierPublicKey::combine(const BigInt& m, const BigInt& rn) const {
  // g^m = (1 + n)^m = 1 + m n (mod n^2): the binomial terms from n^2 on vanish. m n + 1 < n^2.
  PaillierCiphertext c;
  mpz_mul(c.value.mut(), m.get(), n_.get());
  mpz_add_ui(c.value.mut(), c.value.get(), 1);
  mpz_mul(c.value.mut(), c.value.get(), rn.get());
  mpz_mod(c.value.mut(), c.value.get(), n2_.get());
  return c;
}

PaillierCiphertext PaillierPublicKey::encrypt(const BigInt& m, const BigInt& r) const {
  check_plaintext(m);
  BigInt g;
  mpz_gcd(g.mut(), r.get(), n_.get());
  if (mpz_sgn(r.get()) <= 0 || compare(r, n_) >= 0 || mpz_cmp_ui(g.get(), 1) != 0) {
    throw_runtime_error("paillier: the nonce r must be in Z*_n (0 < r < n, gcd(r, n) = 1)");
  }
  BigInt rn;
  mpz_powm(rn.mut(), r.get(), n_.get(), n2_.get());
  return combine(m, rn);
}

PaillierCiphertext PaillierPublicKey::encrypt(const BigInt& m, RandomSource& random) const {
  check_plaintext(m);
  const BigInt r = random_unit(random, n_);
  BigInt rn;
  mpz_powm(rn.mut(), r.get(), n_.get(), n2_.get());
  return combine(m, rn);
}

PaillierCiphertext PaillierPublicKey::add(const PaillierCiphertext& a, const PaillierCiphertext& b) const {
  PaillierCiphertext out;
  mpz_mul(out.value.mut(), a.value.get(), b.value.get());
  mpz_mod(out.value.mut(), out.value.get(), n2_.get());
  return out;
}

void PaillierPublicKey::add_to(PaillierCiphertext& acc, const PaillierCiphertext& c) const {
  mpz_mul(acc.value.mut(), acc.value.get(), c.value.get());
  mpz_mod(acc.value.mut(), acc.value.get(), n2_.get());
}

PaillierCiphertext PaillierPublicKey::multiply(const PaillierCiphertext& c, const BigInt& k) const {
  if (mpz_sgn(k.get()) < 0 || compare(k, n_) >= 0) {
    throw_runtime_error("paillier: scalar out of range: need 0 <= k < n");
  }
  PaillierCiphertext out;
  mpz_powm(out.value.mut(), c.value.get(), k.get(), n2_.get());
  return out;
}

// ---- private key -----------------------------------------------------------------------------

PaillierPrivateKey PaillierPrivateKey::from_primes(BigInt p, BigInt q, KeySizeCheck check) {
  for (const BigInt* x : {&p, &q}) {
    if (mpz_cmp_ui(x->get(), 2) <= 0 || mpz_probab_prime_p(x->get(), kPrimeTestRounds) == 0) {
      throw_input_error("paillier: {} is not an odd prime", x->to_string());
    }
  }
  if (p == q) throw_input_error("paillier: p and q must differ (both are {})", p.to_string());
  if (p.bits() != q.bits()) {
    throw_input_error("paillier: p and q must have the same bit length (got {} and {} bits)", p.bits(), q.bits());
  }
  return PaillierPrivateKey(std::move(p), std::move(q), check);
}

PaillierPrivateKey::PaillierPrivateKey(BigInt p, BigInt q, KeySizeCheck check)
    : p_(std::move(p)), q_(std::move(q)), pub_(product(p_, q_), check) {
  const BigInt& n = pub_.n();
  BigInt pm1, qm1, phi, g;
  mpz_sub_ui(pm1.mut(), p_.get(), 1);
  mpz_sub_ui(qm1.mut(), q_.get(), 1);
  mpz_mul(phi.mut(), pm1.get(), qm1.get());
  mpz_gcd(g.mut(), n.get(), phi.get());
  if (mpz_cmp_ui(g.get(), 1) != 0) {
    throw_input_error("paillier: gcd(pq, (p-1)(q-1)) = {}, must be 1", g.to_string());
  }
  // Textbook: λ = lcm(p-1, q-1), μ = λ^-1 mod n.
  mpz_lcm(lambda_.mut(), pm1.get(), qm1.get());
  mu_ = inverse_mod(lambda_, n);
  // CRT decryption: h_p = L_p(g^(p-1) mod p^2)^-1 mod p, with g = n + 1.
  p2_ = square(p_);
  q2_ = square(q_);
  BigInt gen;
  mpz_add_ui(gen.mut(), n.get(), 1);
  BigInt t;
  mpz_powm(t.mut(), gen.get(), pm1.get(), p2_.get());
  hp_ = inverse_mod(l_function(t, p_), p_);
  mpz_powm(t.mut(), gen.get(), qm1.get(), q2_.get());
  hq_ = inverse_mod(l_function(t, q_), q_);
  q_inv_p_ = inverse_mod(q_, p_);
  q2_inv_p2_ = inverse_mod(q2_, p2_);
}

BigInt PaillierPrivateKey::decrypt_without_crt(const PaillierCiphertext& c) const {
  pub_.check_ciphertext(c);
  BigInt x;
  mpz_powm(x.mut(), c.value.get(), lambda_.get(), pub_.n_squared().get());
  BigInt m = l_function(x, pub_.n());
  mpz_mul(m.mut(), m.get(), mu_.get());
  mpz_mod(m.mut(), m.get(), pub_.n().get());
  return m;
}

BigInt PaillierPrivateKey::decrypt(const PaillierCiphertext& c) const {
  pub_.check_ciphertext(c);
  auto half = [&c](const BigInt& prime, const BigInt& prime2, const BigInt& h) {
    BigInt x, e;
    mpz_mod(x.mut(), c.value.get(), prime2.get());
    mpz_sub_ui(e.mut(), prime.get(), 1);
    mpz_powm(x.mut(), x.get(), e.get(), prime2.get());
    BigInt m = l_function(x, prime);
    mpz_mul(m.mut(), m.get(), h.get());
    mpz_mod(m.mut(), m.get(), prime.get());
    return m;
  };
  const BigInt mp = half(p_, p2_, hp_);
  const BigInt mq = half(q_, q2_, hq_);
  return crt(mp, p_, mq, q_, q_inv_p_);
}

PaillierCiphertext PaillierPrivateKey::encrypt(const BigInt& m, const BigInt& r) const {
  pub_.check_plaintext(m);
  BigInt g;
  mpz_gcd(g.mut(), r.get(), pub_.n().get());
  if (mpz_sgn(r.get()) <= 0 || compare(r, pub_.n()) >= 0 || mpz_cmp_ui(g.get(), 1) != 0) {
    throw_runtime_error("paillier: the nonce r must be in Z*_n (0 < r < n, gcd(r, n) = 1)");
  }
  // y_p = (r mod p)^p mod p^2 lies in the subgroup of order p - 1 of Z*_{p^2}, where the n-th
  // residues mod p^2 live; the header says why this is E(m) with nonce s.
  BigInt yp, yq;
  mpz_mod(yp.mut(), r.get(), p_.get());
  mpz_powm(yp.mut(), yp.get(), p_.get(), p2_.get());
  mpz_mod(yq.mut(), r.get(), q_.get());
  mpz_powm(yq.mut(), yq.get(), q_.get(), q2_.get());
  return pub_.combine(m, crt(yp, p2_, yq, q2_, q2_inv_p2_));
}

PaillierCiphertext PaillierPrivateKey::encrypt(const BigInt& m, RandomSource& random) const {
  pub_.check_plaintext(m);
  return encrypt(m, random_unit(random, pub_.n()));
}

void check_key_bits(std::size_t modulus_bits) {
  if (modulus_bits < kMinModulusBits) {
    throw_input_error("paillier: a {}-bit key is too small; keys must have at least {} bits (2048 or more recommended)",
                      modulus_bits, kMinModulusBits);
  }
  if (modulus_bits % 2 != 0) {
    throw_input_error("paillier: the key size must be even (two primes of equal size), got {} bits", modulus_bits);
  }
}

PaillierPrivateKey generate_paillier_key(std::size_t modulus_bits, RandomSource& random) {
  check_key_bits(modulus_bits);
  const std::size_t half = modulus_bits / 2;
  BigInt p = random_prime(half, random);
  for (;;) {
    BigInt q = random_prime(half, random);
    if (q == p) continue;
    // For primes of equal size gcd(pq, (p-1)(q-1)) = 1 always holds (neither prime can divide
    // the other's predecessor); the constructor checks it anyway.
    return PaillierPrivateKey(std::move(p), std::move(q), KeySizeCheck::kEnforce);
  }
}

}  // namespace fedload::he
