#pragma once
// Shared by the cpu backend tests: a fresh seed per test run (printed, and repeatable with
// FEDLOAD_TEST_SEED=<n>) so that every run compares the backend on inputs it has not seen, and
// the list of SIMD builds this processor can run.
#include <gtest/gtest.h>

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

inline std::vector<std::string> runnable_simd_levels() {
  std::vector<std::string> levels;
  for (const char* s : {"avx512", "avx2", "generic"}) {
    if (kernels::cpu_fast::simd_supported(s)) levels.emplace_back(s);
  }
  return levels;
}

}  // namespace fedload::test
