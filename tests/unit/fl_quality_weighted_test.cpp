// quality_weighted: ReLU-cosine weights against the coordinate-wise median, every update
// rescaled to the median's norm; cases worked out by hand.
#include <cmath>
#include <limits>
#include <vector>

#include <gtest/gtest.h>

#include "fedload/fl/strategy.hpp"

namespace fedload::fl {
namespace {

struct Round {
  std::vector<ClientReport> reports;
  std::vector<std::vector<float>> deltas;
  std::vector<ClientUpdateView> views() const {
    std::vector<ClientUpdateView> v;
    for (std::size_t i = 0; i < deltas.size(); ++i) v.push_back({&reports[i], deltas[i]});
    return v;
  }
};

Round round_of(std::vector<std::vector<float>> deltas) {
  Round r;
  r.deltas = std::move(deltas);
  for (std::size_t i = 0; i < r.deltas.size(); ++i)
    r.reports.push_back({static_cast<std::int64_t>(i), 10.0 * static_cast<double>(i + 1), 1, 0.1});
  return r;
}

TEST(QualityWeighted, WeightsByCosineToTheMedianAndRescalesToItsNorm) {
  // median per coordinate: x of (-4, 1, 1, 2) -> 1, y of (0, 0, 0, 1) -> 0: m = (1, 0), |m| = 1
  const Round r = round_of({{1, 0}, {2, 0}, {1, 1}, {-4, 0}});
  const auto s = make_strategy("quality_weighted", {});
  const std::vector<float> g = {0.5f, -0.5f};
  std::vector<float> out(2);
  const auto applied = s->aggregate(g, r.views(), out);
  // q = (1, 1, 1/sqrt2, 0); c_i = q_i / sum q * |m| / |delta_i|
  const double total = 2 + 1 / std::sqrt(2.0);
  ASSERT_EQ(applied.coefficients.size(), 4u);
  EXPECT_NEAR(applied.coefficients[0], 1 / total, 1e-12);
  EXPECT_NEAR(applied.coefficients[1], 0.5 / total, 1e-12);
  EXPECT_NEAR(applied.coefficients[2], 0.5 / total, 1e-12);
  EXPECT_EQ(applied.coefficients[3], 0.0);  // points away from the median: no weight
  EXPECT_NEAR(out[0], 0.5 + 2.5 / total, 1e-6);
  EXPECT_NEAR(out[1], -0.5 + 0.5 / total, 1e-6);
  EXPECT_TRUE(applied.remark.empty());
  EXPECT_FALSE(s->coefficients(r.reports).has_value());  // gathered, not linear
}

TEST(QualityWeighted, IgnoresAScaledCopyAndANonFiniteUpdate) {
  // a client sending 100x an honest direction counts like one honest update, not 100; a NaN
  // update gets no weight and does not poison the sum
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const Round scaled = round_of({{1, 0}, {1, 0}, {100, 0}, {nan, 0}, {1, 0}});
  const Round plain = round_of({{1, 0}, {1, 0}, {1, 0}, {0, 0}, {1, 0}});
  const auto s = make_strategy("quality_weighted", {.server_lr = 0.5});
  const std::vector<float> g = {0, 0};
  std::vector<float> a(2), b(2);
  const auto ra = s->aggregate(g, scaled.views(), a);
  s->aggregate(g, plain.views(), b);
  EXPECT_EQ(ra.coefficients[3], 0.0);
  EXPECT_NEAR(ra.coefficients[2], 0.5 * 0.25 / 100, 1e-12);
  EXPECT_NEAR(a[0], 0.5f, 1e-6);  // server_lr * |m| along m
  EXPECT_EQ(a[1], 0.0f);
  EXPECT_EQ(a, b);
}

TEST(QualityWeighted, NoUpdateTowardsTheMedianLeavesTheModelUnchanged) {
  // (1, 0) and (-1, 0): the median is 0, no direction to trust
  const Round r = round_of({{1, 0}, {-1, 0}});
  const auto s = make_strategy("quality_weighted", {});
  const std::vector<float> g = {0.25f, 2.0f};
  std::vector<float> out(2);
  const auto applied = s->aggregate(g, r.views(), out);
  EXPECT_EQ(out, g);
  EXPECT_EQ(applied.coefficients, (std::vector<double>{0.0, 0.0}));
  EXPECT_NE(applied.remark.find("left unchanged"), std::string::npos) << applied.remark;
}

}  // namespace
}  // namespace fedload::fl
