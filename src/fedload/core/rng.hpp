#pragma once
// Counter-based random numbers: every value is a pure function of (seed, stream, counter), so
// a client's stream does not depend on which rank runs it or how many draws others made.
// The mixer is SplitMix64's finalizer applied to a combination of the three words.
#include <cstdint>
#include <vector>

namespace fedload {

std::uint64_t mix64(std::uint64_t x);

class CounterRng {
 public:
  CounterRng(std::uint64_t seed, std::uint64_t stream) : seed_(seed), stream_(stream) {}

  std::uint64_t next_u64();
  // Uniform in [0, 1) with 53 random bits.
  double uniform();
  // Uniform in [lo, hi).
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  // Standard normal (Box-Muller; one value per call, the pair's partner is cached).
  double normal();
  // Uniform integer in [0, n); n > 0. Lemire's unbiased method.
  std::uint64_t below(std::uint64_t n);
  // Fisher-Yates permutation of 0..n-1.
  std::vector<std::size_t> permutation(std::size_t n);

  std::uint64_t counter() const { return counter_; }
  void set_counter(std::uint64_t c) { counter_ = c; has_spare_ = false; }

 private:
  std::uint64_t seed_, stream_, counter_ = 0;
  bool has_spare_ = false;
  double spare_ = 0.0;
};

}  // namespace fedload
