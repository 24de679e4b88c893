#pragma once
// Shared by the model tests: elementwise comparison with tolerance atol + rtol*|ref| that
// reports the worst element and where it is, and seeded random arrays.
#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "fedload/core/rng.hpp"

namespace fedload::test {

template <typename A, typename B>
::testing::AssertionResult all_close(const std::string& what, const A* got, const B* ref, std::size_t n,
                                     double rtol, double atol) {
  std::size_t worst = 0, wrong = 0;
  double worst_ratio = -1.0;
  for (std::size_t k = 0; k < n; ++k) {
    const double g = static_cast<double>(got[k]), r = static_cast<double>(ref[k]);
    const double ratio = std::abs(g - r) / (atol + rtol * std::abs(r));
    if (!(ratio <= 1.0)) ++wrong;
    if (!(ratio <= worst_ratio) || std::isnan(ratio)) {
      worst_ratio = ratio;
      worst = k;
    }
  }
  if (wrong == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << what << ": " << wrong << " of " << n << " elements outside atol " << atol << " + rtol " << rtol
         << "; worst at [" << worst << "]: got " << static_cast<double>(got[worst]) << ", reference "
         << static_cast<double>(ref[worst]) << " (" << worst_ratio << "x the tolerance)";
}

template <typename A, typename B>
::testing::AssertionResult all_close(const std::string& what, const std::vector<A>& got, const std::vector<B>& ref,
                                     double rtol, double atol) {
  if (got.size() != ref.size()) {
    return ::testing::AssertionFailure() << what << ": " << got.size() << " values, reference has " << ref.size();
  }
  return all_close(what, got.data(), ref.data(), got.size(), rtol, atol);
}

template <typename S>
std::vector<S> random_vector(std::size_t n, std::uint64_t seed, double lo = -1.0, double hi = 1.0) {
  CounterRng rng(seed, 7);
  std::vector<S> v(n);
  for (auto& x : v) x = static_cast<S>(rng.uniform(lo, hi));
  return v;
}

}  // namespace fedload::test
