#pragma once
// Where Paillier's randomness comes from (prime candidates for keys, the nonce r of every
// encryption). Two sources:
//   OsRandom      the operating system's CSPRNG (getrandom(2), i.e. /dev/urandom's pool): the
//                 default, and the only one to use for anything that must stay secret.
//   SeededRandom  bytes from fedload's CounterRng(seed, stream): the same seed gives the same
//                 keys and ciphertexts on every run (with the same GMP), which benchmarks and
//                 tests need. REPRODUCIBLE BUT INSECURE: anyone who knows or guesses the seed
//                 knows the private key and every nonce. Never use it to protect real data.
#include <cstddef>
#include <cstdint>
#include <span>

#include "fedload/core/rng.hpp"
#include "fedload/he/big_int.hpp"

namespace fedload::he {

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  // Fills `out` with random bytes; a fedload::Error if the source fails.
  virtual void fill(std::span<std::byte> out) = 0;
  // True for a source whose output an attacker cannot predict.
  virtual bool secure() const = 0;
};

class OsRandom final : public RandomSource {
 public:
  void fill(std::span<std::byte> out) override;
  bool secure() const override { return true; }
};

class SeededRandom final : public RandomSource {
 public:
  SeededRandom(std::uint64_t seed, std::uint64_t stream) : rng_(seed, stream) {}
  void fill(std::span<std::byte> out) override;
  bool secure() const override { return false; }

 private:
  CounterRng rng_;
};

// Uniform in [0, 2^bits).
BigInt random_bits(RandomSource& random, std::size_t bits);
// Uniform in [1, n) with gcd(r, n) = 1 (rejection sampling); n > 1.
BigInt random_unit(RandomSource& random, const BigInt& n);

}  // namespace fedload::he
