// Krum and multi-Krum on small hand-computed cases: which updates they pick, the coefficients
// they report, ties going to the lower client id, the n >= 2f + 3 condition, and the fallbacks
// of a round that is too small.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "fedload/core/error.hpp"
#include "fedload/fl/strategy.hpp"

namespace fedload::fl {
namespace {

// 2-D updates of clients 0..n-1, every one claiming the same sample count except client 0
struct Updates {
  std::vector<ClientReport> reports;
  std::vector<std::vector<float>> deltas;
  explicit Updates(std::vector<std::vector<float>> d) : deltas(std::move(d)) {
    for (std::size_t i = 0; i < deltas.size(); ++i)
      reports.push_back({.client = static_cast<std::int64_t>(i), .samples = i == 0 ? 1000.0 : 10.0});
  }
  std::vector<ClientUpdateView> views() const {
    std::vector<ClientUpdateView> v;
    for (std::size_t i = 0; i < deltas.size(); ++i) v.push_back({&reports[i], deltas[i]});
    return v;
  }
};

// four honest updates and an outlier (client 4). Squared distances:
//   d01 4, d02 2, d03 5, d12 2, d13 5, d23 9; to client 4: 800, 724, 722, 845.
// f = 1: each score sums the n - f - 2 = 2 nearest: client 0: 2 + 4 = 6, 1: 2 + 4 = 6, 2: 2 + 2 = 4,
// 3: 5 + 5 = 10, 4: 722 + 724 = 1446.
Updates four_and_an_outlier() { return Updates({{0, 0}, {2, 0}, {1, 1}, {1, -2}, {20, 20}}); }

TEST(FlKrum, KrumTakesTheUpdateClosestToItsNeighbours) {
  const auto u = four_and_an_outlier();
  const std::vector<float> g = {10.0f, 20.0f};
  std::vector<float> out(2);
  const auto s = make_strategy("krum", {.krum_byzantine = 1, .krum_select = 1});
  EXPECT_FALSE(s->coefficients(u.reports).has_value());  // gathered, not linear
  const auto applied = s->aggregate(g, u.views(), out);
  EXPECT_EQ(out, (std::vector<float>{11.0f, 21.0f}));  // g + client 2's update
  EXPECT_EQ(applied.coefficients, (std::vector<double>{0, 0, 1, 0, 0}));
  EXPECT_TRUE(applied.remark.empty());
  // the server learning rate scales the step and the reported coefficient
  const auto half = make_strategy("krum", {.server_lr = 0.5})->aggregate(g, u.views(), out);
  EXPECT_EQ(out, (std::vector<float>{10.5f, 20.5f}));
  EXPECT_EQ(half.coefficients, (std::vector<double>{0, 0, 0.5, 0, 0}));
}

TEST(FlKrum, MultiKrumAveragesTheMBestWithoutSampleWeights) {
  const auto u = four_and_an_outlier();
  const std::vector<float> g = {0.0f, 0.0f};
  std::vector<float> out(2);
  // m = 3: clients 2 (4), 0 (6), 1 (6): the plain mean of (1, 1), (0, 0), (2, 0), although client 0
  // claims 100 times the samples
  auto applied = make_strategy("krum", {.krum_select = 3})->aggregate(g, u.views(), out);
  EXPECT_FLOAT_EQ(out[0], 1.0f);
  EXPECT_FLOAT_EQ(out[1], 1.0f / 3.0f);
  const double third = 1.0 / 3.0;
  EXPECT_EQ(applied.coefficients, (std::vector<double>{third, third, third, 0, 0}));
  // m = 4 = n - f: every honest update, still not the outlier
  applied = make_strategy("krum", {.krum_select = 4})->aggregate(g, u.views(), out);
  EXPECT_EQ(out, (std::vector<float>{1.0f, -0.25f}));
  EXPECT_EQ(applied.coefficients, (std::vector<double>{0.25, 0.25, 0.25, 0.25, 0}));
  // while the unweighted mean follows the outlier
  make_strategy("mean", {})->aggregate(g, u.views(), out);
  EXPECT_FLOAT_EQ(out[0], 24.0f / 5.0f);
}

TEST(FlKrum, EqualScoresGoToTheLowerClientId) {
  // the corners of a unit square score 1 + 1 = 2 each; the far point is client 0, so the tie
  // between clients 1..4 goes to client 1, the first corner by id
  const Updates u({{10, 10}, {1, 1}, {0, 0}, {1, 0}, {0, 1}});
  const std::vector<float> g = {0.0f, 0.0f};
  std::vector<float> out(2);
  const auto applied = make_strategy("krum", {})->aggregate(g, u.views(), out);
  EXPECT_EQ(applied.coefficients, (std::vector<double>{0, 1, 0, 0, 0}));
  EXPECT_EQ(out, (std::vector<float>{1.0f, 1.0f}));
  // m = 2: clients 1 and 2, the two lowest ids among the four equal scores
  make_strategy("krum", {.krum_select = 2})->aggregate(g, u.views(), out);
  EXPECT_EQ(out, (std::vector<float>{0.5f, 0.5f}));
}

TEST(FlKrum, RejectedUpdatesMayHoldNaNOrInfinity) {
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  const Updates u({{0, 0}, {nan, 1}, {2, 0}, {1, 1}, {inf, 0}, {1, -2}, {0, 2}});
  const std::vector<float> g = {0.0f, 0.0f};
  std::vector<float> out(2);
  const auto applied = make_strategy("krum", {.krum_byzantine = 2, .krum_select = 2})->aggregate(g, u.views(), out);
  EXPECT_TRUE(std::isfinite(out[0]) && std::isfinite(out[1])) << out[0] << ", " << out[1];
  EXPECT_EQ(applied.coefficients[1], 0.0);
  EXPECT_EQ(applied.coefficients[4], 0.0);
}

TEST(FlKrum, WithoutByzantineClientsAndMEqualToNItIsTheMeanBitForBit) {
  const auto u = four_and_an_outlier();
  const std::vector<float> g = {0.25f, -3.0f};
  std::vector<float> krum(2), mean(2);
  make_strategy("krum", {.server_lr = 0.7, .krum_byzantine = 0, .krum_select = 5})->aggregate(g, u.views(), krum);
  make_strategy("mean", {.server_lr = 0.7})->aggregate(g, u.views(), mean);
  EXPECT_EQ(krum, mean);
}

TEST(FlKrum, RoundsTooSmallForTheConditionAreRefusedOrLeaveTheModelUnchanged) {
  const auto f1 = make_strategy("krum", {.krum_byzantine = 1});
  EXPECT_NO_THROW(f1->check_round_size(5));
  try {
    f1->check_round_size(4);
    ADD_FAILURE() << "4 clients with f = 1 accepted";
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("n >= 2f + 3 = 5"), std::string::npos) << what;
    EXPECT_NE(what.find("selects 4"), std::string::npos) << what;
  }
  EXPECT_THROW(make_strategy("krum", {.krum_byzantine = 2})->check_round_size(6), InputError);
  EXPECT_NO_THROW(make_strategy("krum", {.krum_byzantine = 2})->check_round_size(7));
  // m at most n - f
  EXPECT_NO_THROW(make_strategy("krum", {.krum_select = 4})->check_round_size(5));
  EXPECT_THROW(make_strategy("krum", {.krum_select = 5})->check_round_size(5), InputError);
  // the other strategies take any round
  EXPECT_NO_THROW(make_strategy("median", {})->check_round_size(1));

  // at run time (a Poisson round): a round below 2f + 3 keeps g, every coefficient 0
  const Updates four({{0, 0}, {2, 0}, {1, 1}, {1, -2}});
  const std::vector<float> g = {3.0f, 4.0f};
  std::vector<float> out(2);
  auto applied = f1->aggregate(g, four.views(), out);
  EXPECT_EQ(out, g);
  EXPECT_EQ(applied.coefficients, (std::vector<double>(4, 0.0)));
  EXPECT_NE(applied.remark.find("fewer than 2f + 3 = 5"), std::string::npos) << applied.remark;
  // and a round with n - f < m averages the n - f best
  applied = make_strategy("krum", {.krum_select = 9})->aggregate(g, four_and_an_outlier().views(), out);
  EXPECT_EQ(applied.coefficients, (std::vector<double>{0.25, 0.25, 0.25, 0.25, 0}));
  EXPECT_NE(applied.remark.find("n - f = 4 best"), std::string::npos) << applied.remark;
}

TEST(FlKrum, OptionsOutOfRangeAreInputErrors) {
  EXPECT_THROW(make_strategy("krum", {.krum_byzantine = -1}), InputError);
  EXPECT_THROW(make_strategy("krum", {.krum_select = 0}), InputError);
}

}  // namespace
}  // namespace fedload::fl
