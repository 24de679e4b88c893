// The fixed-point sum: the same integers in any order or split (what makes the global model
// independent of the rank layout), each term rounded like a long-double reference (nearest, ties
// to even), close to the exact sum, and loud on overflow and non-finite inputs wherever they sit.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
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

// what one term must be: (coeff * 2^s) * delta in double, rounded to the nearest integer with
// ties to even in long double (64-bit or wider significand: every double and every integer below
// 2^62 is exact in it, and nearbyintl rounds to nearest even)
std::int64_t reference_term(double coeff, float delta, int s) {
  const long double x = static_cast<long double>(std::ldexp(coeff, s) * static_cast<double>(delta));
  return static_cast<std::int64_t>(std::nearbyintl(x));
}

TEST(FlExactSum, EachTermIsRoundedToNearestEvenLikeALongDoubleReference) {
  // exact ties (k + 1/2 after scaling) of both signs and parities, values near 2^62, tiny ones
  const std::vector<float> ties = {0.5f, 1.5f, 2.5f, 3.5f, -0.5f, -1.5f, -2.5f, 1e-30f, -1e-30f, 0.0f, -0.0f};
  std::vector<std::int64_t> got(ties.size(), 0);
  accumulate_fixed(1.0, ties, 0, got);
  EXPECT_EQ(got, (std::vector<std::int64_t>{0, 2, 2, 4, 0, -2, -2, 0, 0, 0, 0}));
  // and every bit pattern class: random coefficients and magnitudes over the whole allowed range
  CounterRng rng(3, 0);
  std::size_t wrong = 0, checked = 0, first_wrong = 0;
  for (int rep = 0; rep < 200; ++rep) {
    std::vector<float> d(257);
    const double coeff = rng.uniform(-2.0, 2.0);
    for (auto& x : d) x = static_cast<float>(std::ldexp(rng.normal(), static_cast<int>(rng.below(80)) - 40));
    // half the repetitions put the largest term just under 2^61, half leave room (s smaller)
    const int s = fixed_point_exponent(fixed_point_term_bound(coeff, d)) - (rep % 2 ? 0 : static_cast<int>(rng.below(40)));
    std::vector<std::int64_t> acc(d.size(), 0), enc(d.size(), -1);
    accumulate_fixed(coeff, d, s, acc);
    encode_fixed(coeff, d, s, enc);
    for (std::size_t j = 0; j < d.size(); ++j, ++checked) {
      const auto want = reference_term(coeff, d[j], s);
      if ((acc[j] != want || enc[j] != want) && wrong++ == 0) first_wrong = checked;
    }
  }
  EXPECT_EQ(wrong, 0u) << "of " << checked << " terms; first wrong: term " << first_wrong;
  // a term just below 2^62 ((4 - 2^-22) * 2^60) is still converted exactly
  const std::vector<float> big = {std::nextafter(4.0f, 0.0f), -std::nextafter(4.0f, 0.0f)};
  std::vector<std::int64_t> b(2, 0);
  accumulate_fixed(1.0, big, 60, b);
  EXPECT_EQ(b[0], reference_term(1.0, big[0], 60));
  EXPECT_EQ(b[1], -b[0]);
}

TEST(FlExactSum, EncodeEqualsAccumulateIntoZero) {
  const auto t = random_terms(3, 1001, 5);
  const int s = exponent_for(t);
  std::vector<std::int64_t> acc(1001, 0), enc(1001, 12345);
  accumulate_fixed(t.coeff[1], t.delta[1], s, acc);
  encode_fixed(t.coeff[1], t.delta[1], s, enc);
  EXPECT_EQ(enc, acc);
  std::vector<float> d = t.delta[1];
  d[700] = -INFINITY;
  try {
    encode_fixed(1.0, d, s, enc);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("element 700"), std::string::npos) << e.what();
  }
  EXPECT_THROW(encode_fixed(1.0, d, s, std::span<std::int64_t>(enc).first(10)), Error);
}

TEST(FlExactSum, FixedToFloatConvertsEveryInt64ToTheNearestDouble) {
  // values that need rounding to 53 bits (ties included), both ends of the range, around 2^32
  const std::int64_t big = std::numeric_limits<std::int64_t>::max();
  const std::vector<std::int64_t> acc = {big,      -big - 1,          big - 1023, (std::int64_t{1} << 53) + 1,
                                         (std::int64_t{1} << 54) + 2, (std::int64_t{1} << 54) + 6,
                                         -(std::int64_t{1} << 53) - 1, 4294967295, 4294967296, -4294967297,
                                         123456789012345677, -3, 0, 1};
  // the global model cancels the float part, so the float result is the double's remainder and
  // shows its low bits (all of them for these values, which sit near few-bit floats)
  std::vector<float> out(acc.size()), g(acc.size());
  for (int s : {0, 30, 61, -20}) {
    for (std::size_t j = 0; j < acc.size(); ++j) g[j] = -static_cast<float>(std::ldexp(static_cast<double>(acc[j]), -s));
    fixed_to_float(acc, s, g, out);
    for (std::size_t j = 0; j < acc.size(); ++j) {
      const double want = static_cast<double>(g[j]) + std::ldexp(static_cast<double>(acc[j]), -s);
      EXPECT_EQ(out[j], static_cast<float>(want)) << "element " << j << ", s " << s;
    }
  }
  // where the double result's last bit decides the float (the sum with the global model rounds
  // once to double, once to float, as before)
  const std::vector<std::int64_t> a2 = {(std::int64_t{1} << 53) + 1, -((std::int64_t{1} << 53) + 3)};
  const std::vector<float> g2 = {1.0f, -3.0f};
  std::vector<float> o2(2);
  fixed_to_float(a2, 52, g2, o2);
  for (std::size_t j = 0; j < 2; ++j) {
    EXPECT_EQ(o2[j], static_cast<float>(static_cast<double>(g2[j]) +
                                         std::ldexp(static_cast<double>(a2[j]), -52)));
  }
}

TEST(FlExactSum, ExponentsBeyondTheDoubleRangeOfTwoToTheS) {
  // a bound so small (a subnormal double) that 2^-s is below the double range: the conversion
  // back scales each value on its own and agrees with ldexp
  const std::vector<float> d = {1e-38f, -3e-39f, 0.0f, 7e-40f};  // normal and subnormal floats
  const double coeff = 0x1.0p-900;
  const int s = fixed_point_exponent(fixed_point_term_bound(coeff, d));
  ASSERT_GT(s, 1022);
  std::vector<std::int64_t> acc(d.size(), 0);
  accumulate_fixed(coeff, d, s, acc);
  for (std::size_t j = 0; j < d.size(); ++j) EXPECT_EQ(acc[j], reference_term(coeff, d[j], s)) << j;
  EXPECT_GT(acc[0], std::int64_t{1} << 59);  // the precision is used, not lost to the tiny values
  std::vector<float> out(d.size());
  fixed_to_float(acc, s, std::vector<float>(d.size(), 1.0f), out);
  for (std::size_t j = 0; j < d.size(); ++j) {
    EXPECT_EQ(out[j], static_cast<float>(1.0 + std::ldexp(static_cast<double>(acc[j]), -s))) << j;
  }
  // coeff * 2^s overflows: zero updates still give zero terms, a nonzero one is out of range
  const std::vector<float> zeros = {0.0f, -0.0f, 0.0f};
  std::vector<std::int64_t> z(3, 0);
  accumulate_fixed(1e300, zeros, 40, z);
  EXPECT_EQ(z, (std::vector<std::int64_t>{0, 0, 0}));
  const std::vector<float> tiny = {0.0f, 0.0f, 1e-45f};
  EXPECT_THROW(accumulate_fixed(1e300, tiny, 40, z), Error);
}

TEST(FlExactSum, ErrorsDeepInALongUpdateNameTheFirstBadElement) {
  std::vector<float> d(100000, 0.25f);
  d[77777] = NAN;
  d[88888] = INFINITY;
  std::vector<std::int64_t> acc(d.size(), 0);
  auto message = [&](auto&& call) -> std::string {
    try {
      call();
    } catch (const Error& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_NE(message([&] { accumulate_fixed(1.0, d, 40, acc); }).find("element 77777 of 100000"), std::string::npos);
  EXPECT_NE(message([&] { fixed_point_term_bound(1.0, d); }).find("element 77777 of 100000"), std::string::npos);
  d[77777] = 0.25f;
  d[88888] = 0.25f;
  d[99999] = 16.0f;  // 16 * 2^58 = 2^62: the one term out of range
  std::fill(acc.begin(), acc.end(), 0);
  EXPECT_NE(message([&] { accumulate_fixed(1.0, d, 58, acc); }).find("element 99999 (coefficient"), std::string::npos);
  d[99999] = 0.25f;
  std::fill(acc.begin(), acc.end(), 0);
  acc[54321] = std::numeric_limits<std::int64_t>::min() + 5;
  EXPECT_NE(message([&] { accumulate_fixed(-1.0, d, 58, acc); }).find("element 54321 overflows"), std::string::npos);
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
