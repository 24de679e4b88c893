#pragma once
// Shared by the cpu backend tests: a fresh seed per test run (printed, and repeatable with
// FEDLOAD_TEST_SEED=<n>) so that every run compares the backend on inputs it has not seen, and
// the list of SIMD builds this processor can run.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "simd_kernels.hpp"

namespace fedload::test {

inline std::uint64_t run_seed() {
  static const std::uint64_t seed = [] {
    if (const char* env = std::getenv("FEDLOAD_TEST_SEED"); env != nullptr && *env != '\0') {
      return static_cast<std::uint64_t>(std::strtoull(env, nullptr, 10));
    }
    std::random_device rd;
    return (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
  }();
  return seed;
}

// Adds the seed to every failure message of the enclosing scope.
#define FEDLOAD_TRACE_SEED() \
  SCOPED_TRACE("inputs from FEDLOAD_TEST_SEED=" + std::to_string(::fedload::test::run_seed()))

// Absolute tolerance for values that are sums over many rows (gradients over all steps and
// samples): float summation in a different order errs by about eps times the sum of |terms|,
// which for a sum that cancels to near zero is far above rtol |sum|. Judged at the scale of
// the whole array instead: 1e-5 of its largest magnitude (and never below 1e-6).
template <typename T>
double sum_atol(const T* ref, std::size_t n) {
  double m = 0.0;
  for (std::size_t k = 0; k < n; ++k) m = std::max(m, std::abs(static_cast<double>(ref[k])));
  return std::max(1e-6, 1e-5 * m);
}
template <typename T>
double sum_atol(const std::vector<T>& ref) {
  return sum_atol(ref.data(), ref.size());
}

inline std::vector<std::string> runnable_simd_levels() {
  std::vector<std::string> levels;
  for (const char* s : {"avx512", "avx2", "generic"}) {
    if (kernels::cpu_fast::simd_supported(s)) levels.emplace_back(s);
  }
  return levels;
}

}  // namespace fedload::test
