// The fixed-point sum: the same integers in any order or split (what makes the global model
// independent of the rank layout), close to a long-double reference, and loud on overflow.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "fedload/core/error.hpp"
#include "fedload/core/rng.hpp"
#include "fedload/fl/exact_sum.hpp"

namespace fedload::fl {
namespace {

struct Terms {
  std::vector<double> coeff;
  std::vector<std::vector<float>> delta;
};

// K clients with updates of very different magnitudes, so float sums would depend on order
Terms random_terms(std::size_t k, std::size_t p, std::uint64_t seed) {
  CounterRng rng(seed, 0);
  Terms t;
  for (std::size_t i = 0; i < k; ++i) {
    t.coeff.push_back(rng.uniform(0.01, 1.0) / static_cast<double>(k));
    const double scale = std::ldexp(1.0, static_cast<int>(rng.below(20)) - 10);
    std::vector<float> d(p);
    for (auto& x : d) x = static_cast<float>(scale * rng.normal());
    t.delta.push_back(std::move(d));
  }
  return t;
}

int exponent_for(const Terms& t) {
  double largest = 0;
  for (std::size_t i = 0; i < t.coeff.size(); ++i) {
    largest = std::max(largest, fixed_point_term_bound(t.coeff[i], t.delta[i]));
  }
  return fixed_point_exponent(static_cast<double>(t.coeff.size()) * largest);
}

std::vector<std::int64_t> sum_in_order(const Terms& t, const std::vector<std::size_t>& order, int s) {
  std::vector<std::int64_t> acc(t.delta[0].size(), 0);
  for (std::size_t i : order) accumulate_fixed(t.coeff[i], t.delta[i], s, acc);
  return acc;
}

TEST(FlExactSum, AnyOrderAndAnySplitGiveTheSameIntegers) {
  const auto t = random_terms(37, 500, 7);
  const int s = exponent_for(t);
  std::vector<std::size_t> order(t.coeff.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  const auto reference = sum_in_order(t, order, s);

  for (std::uint64_t rep = 0; rep < 5; ++rep) {
    const auto perm = CounterRng(99, rep).permutation(order.size());
    EXPECT_EQ(sum_in_order(t, perm, s), reference) << "permutation " << rep;
  }
  // as if clients sat on 4 ranks in uneven blocks, partial sums then added in reverse rank order
  const std::vector<std::size_t> cuts = {0, 3, 20, 21, 37};
  std::vector<std::vector<std::int64_t>> partial;
  for (std::size_t b = 0; b + 1 < cuts.size(); ++b) {
    std::vector<std::size_t> block;
    for (std::size_t i = cuts[b]; i < cuts[b + 1]; ++i) block.push_back(i);
    partial.push_back(sum_in_order(t, block, s));
  }
  std::vector<std::int64_t> total(reference.size(), 0);
  for (auto it = partial.rbegin(); it != partial.rend(); ++it) {
    for (std::size_t j = 0; j < total.size(); ++j) total[j] += (*it)[j];
  }
  EXPECT_EQ(total, reference);

  // and the float sum, for contrast, is order-dependent on these inputs
  auto float_sum = [&](const std::vector<std::size_t>& ord) {
    std::vector<float> out(reference.size(), 0.0f);
    for (std::size_t i : ord) {
      for (std::size_t j = 0; j < out.size(); ++j) {
        out[j] += static_cast<float>(t.coeff[i]) * t.delta[i][j];
      }
    }
    return out;
  };
  std::vector<std::size_t> reversed(order.rbegin(), order.rend());
  EXPECT_NE(float_sum(order), float_sum(reversed));
}

TEST(FlExactSum, MatchesALongDoubleReferenceWithinTheBound) {
  const auto t = random_terms(64, 300, 11);
  const int s = exponent_for(t);
  std::vector<std::size_t> order(t.coeff.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  const auto acc = sum_in_order(t, order, s);
  // K roundings to integers of at most 2^-(s+1) each, plus each double product c_i * delta_i's
  // own rounding of at most 2^-53 relative
  const double rounding = static_cast<double>(t.coeff.size()) * std::ldexp(1.0, -(s + 1));
  double worst_ratio = 0;
  std::size_t worst_j = 0;
  for (std::size_t j = 0; j < acc.size(); ++j) {
    long double ref = 0;
    double magnitude = 0;
    for (std::size_t i = 0; i < t.coeff.size(); ++i) {
      ref += static_cast<long double>(t.coeff[i]) * static_cast<long double>(t.delta[i][j]);
      magnitude += std::fabs(t.coeff[i] * static_cast<double>(t.delta[i][j]));
    }
    const double err = static_cast<double>(std::fabs(std::ldexp(static_cast<long double>(acc[j]), -s) - ref));
    const double ratio = err / (rounding + magnitude * 0x1.0p-53);
    if (ratio > worst_ratio) worst_ratio = ratio, worst_j = j;
  }
  EXPECT_LE(worst_ratio, 1.0) << "worst element " << worst_j << ", s = " << s;
  // a precision that matters: the rounding is far below float32 spacing near 1 (2^-23)
  EXPECT_LT(rounding, 0x1.0p-40);
}

TEST(FlExactSum, FixedToFloatAddsTheSumToTheGlobalModel) {
  const std::vector<float> g = {1.0f, -2.0f, 0.0f};
  const std::vector<float> d = {0.5f, 0.25f, -3.0f};
  const int s = fixed_point_exponent(2 * 3.0);
  std::vector<std::int64_t> acc(3, 0);
  accumulate_fixed(0.5, d, s, acc);
  accumulate_fixed(1.5, d, s, acc);
  std::vector<float> out(3);
  fixed_to_float(acc, s, g, out);
  EXPECT_EQ(out, (std::vector<float>{2.0f, -1.5f, -6.0f}));
}

TEST(FlExactSum, ExponentKeepsTheBoundBelowTwoToThe61) {
  for (double bound : {1e-30, 1e-3, 0.5, 1.0, 3.0, 1e6, 1e20}) {
    const int s = fixed_point_exponent(bound);
    EXPECT_LT(std::ldexp(bound, s), 0x1.0p61) << bound;
    EXPECT_GE(std::ldexp(bound, s), 0x1.0p59) << bound;  // and does not waste precision
  }
  EXPECT_EQ(fixed_point_exponent(0.0), 40);
  EXPECT_THROW(fixed_point_exponent(-1.0), Error);
  EXPECT_THROW(fixed_point_exponent(INFINITY), Error);
}

TEST(FlExactSum, OverflowIsAnErrorNotAWrapAround) {
  const std::vector<float> d = {1.0f, 4.0f};
  const int s = fixed_point_exponent(4.0);  // fits a single term of 4
  std::vector<std::int64_t> acc(2, 0);
  accumulate_fixed(1.0, d, s, acc);
  EXPECT_NO_THROW(accumulate_fixed(1.0, d, s, acc));  // two terms of 2^60 make 2^61: fits
  EXPECT_THROW(accumulate_fixed(1.0, d, s + 2, acc), Error);  // a term of 2^63
  std::vector<std::int64_t> near_max = {0, std::numeric_limits<std::int64_t>::max() - 5};
  try {
    accumulate_fixed(1.0, d, s, near_max);
    FAIL() << "no overflow error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("element 1"), std::string::npos) << e.what();
  }
}

TEST(FlExactSum, NonFiniteInputsNameTheElement) {
  std::vector<float> d = {0.0f, 1.0f, NAN, 2.0f};
  std::vector<std::int64_t> acc(4, 0);
  try {
    accumulate_fixed(1.0, d, 40, acc);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kRuntime);
    EXPECT_NE(std::string(e.what()).find("element 2"), std::string::npos) << e.what();
  }
  d[2] = INFINITY;
  EXPECT_THROW(fixed_point_term_bound(1.0, d), Error);
  d[2] = 0.0f;
  EXPECT_THROW(accumulate_fixed(NAN, d, 40, acc), Error);
  EXPECT_THROW(fixed_point_term_bound(INFINITY, d), Error);
}

}  // namespace
}  // namespace fedload::fl
