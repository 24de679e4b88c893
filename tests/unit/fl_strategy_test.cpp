// Strategies: hand-computed coefficients, FedNova's removal of FedAvg's step-count bias, the
// registry's errors, and the reference aggregation.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "fedload/core/error.hpp"
#include "fedload/fl/strategy.hpp"

namespace fedload::fl {
namespace {

// three clients with different data sizes and step counts: n = 100, 300, 600; tau = 10, 30, 5
std::vector<ClientReport> three_clients() {
  return {{.client = 2, .samples = 100, .local_steps = 10},
          {.client = 5, .samples = 300, .local_steps = 30},
          {.client = 9, .samples = 600, .local_steps = 5}};
}

std::vector<double> coefficients_of(const std::string& name, const StrategyOptions& o,
                                    const std::vector<ClientReport>& reports) {
  const auto c = make_strategy(name, o)->coefficients(reports);
  EXPECT_TRUE(c.has_value()) << name << " should be linear";
  return c.value_or(std::vector<double>{});
}

TEST(FlStrategy, FedAvgWeightsBySamples) {
  const auto c = coefficients_of("fedavg", {.server_lr = 0.5}, three_clients());
  ASSERT_EQ(c.size(), 3u);
  EXPECT_DOUBLE_EQ(c[0], 0.5 * 0.1);
  EXPECT_DOUBLE_EQ(c[1], 0.5 * 0.3);
  EXPECT_DOUBLE_EQ(c[2], 0.5 * 0.6);
}

TEST(FlStrategy, FedProxAggregatesLikeFedAvgAndAsksForTheProximalTerm) {
  const auto s = make_strategy("fedprox", {.prox_mu = 0.25, .server_lr = 1.0});
  EXPECT_DOUBLE_EQ(s->local_objective().prox_mu, 0.25);
  EXPECT_EQ(*s->coefficients(three_clients()), coefficients_of("fedavg", {}, three_clients()));
  EXPECT_DOUBLE_EQ(make_strategy("fedavg", {.prox_mu = 0.25})->local_objective().prox_mu, 0.0);
}

TEST(FlStrategy, FedNovaNormalizesBySteps) {
  // p = 0.1, 0.3, 0.6; tau_eff = 0.1*10 + 0.3*30 + 0.6*5 = 13; c_i = lr * tau_eff * p_i / tau_i
  const auto c = coefficients_of("fednova", {.server_lr = 2.0}, three_clients());
  ASSERT_EQ(c.size(), 3u);
  EXPECT_DOUBLE_EQ(c[0], 2.0 * 13 * 0.1 / 10);
  EXPECT_DOUBLE_EQ(c[1], 2.0 * 13 * 0.3 / 30);
  EXPECT_DOUBLE_EQ(c[2], 2.0 * 13 * 0.6 / 5);
}

TEST(FlStrategy, FedNovaGivesAClientWithoutStepsNoWeight) {
  auto r = three_clients();
  r[1].local_steps = 0;  // tau_eff = 1 + 0 + 3 = 4
  const auto c = coefficients_of("fednova", {}, r);
  EXPECT_EQ(c[1], 0.0);
  EXPECT_DOUBLE_EQ(c[0], 4 * 0.1 / 10);
  EXPECT_DOUBLE_EQ(c[2], 4 * 0.6 / 5);
}

TEST(FlStrategy, MeanCountsEveryClientTheSame) {
  const auto c = coefficients_of("mean", {.server_lr = 0.9}, three_clients());
  ASSERT_EQ(c.size(), 3u);
  for (double x : c) EXPECT_DOUBLE_EQ(x, 0.3);
}

// One round of "local plain SGD" with a fixed gradient per client: delta_i = -tau_i * eta * grad_i.
// FedNova's step is tau_eff times the one averaged step -eta * sum p_i grad_i, whatever the step
// counts; FedAvg's step leans toward the client that took more steps.
TEST(FlStrategy, MeanWithAFixedDenominatorIgnoresTheRoundsK) {
  // central DP's estimator: server_lr / D whatever K is, so one client moves the sum by c C at most
  const auto c = coefficients_of("mean", {.server_lr = 0.5, .fixed_denominator = 4.0}, three_clients());
  ASSERT_EQ(c.size(), 3u);
  for (const double ci : c) EXPECT_DOUBLE_EQ(ci, 0.125);
  EXPECT_THROW(make_strategy("mean", {.fixed_denominator = -1.0}), InputError);
}

TEST(FlStrategy, FedNovaRemovesFedAvgsBiasTowardBusyClients) {
  const std::vector<ClientReport> r = {{.client = 0, .samples = 50, .local_steps = 1},
                                       {.client = 1, .samples = 50, .local_steps = 20}};
  const double eta = 0.01;
  const std::vector<std::vector<float>> grad = {{1.0f, 0.0f}, {0.0f, 1.0f}};
  const std::vector<float> g = {0.5f, -0.25f};
  std::vector<std::vector<float>> delta(2, std::vector<float>(2));
  for (int i = 0; i < 2; ++i) {
    for (int j = 0; j < 2; ++j) {
      delta[i][j] = static_cast<float>(-static_cast<double>(r[i].local_steps) * eta * grad[i][j]);
    }
  }
  const std::vector<ClientUpdateView> u = {{&r[0], delta[0]}, {&r[1], delta[1]}};
  auto step = [&](const std::string& name) {
    std::vector<float> out(2);
    make_strategy(name, {})->aggregate(g, u, out);
    return std::vector<double>{out[0] - static_cast<double>(g[0]), out[1] - static_cast<double>(g[1])};
  };
  const double tau_eff = 0.5 * 1 + 0.5 * 20;
  const auto nova = step("fednova");
  EXPECT_NEAR(nova[0], -tau_eff * eta * 0.5, 1e-6);  // -tau_eff * eta * (p_0 grad_0 + p_1 grad_1)
  EXPECT_NEAR(nova[1], -tau_eff * eta * 0.5, 1e-6);
  const auto avg = step("fedavg");
  EXPECT_NEAR(avg[0], -0.5 * 1 * eta, 1e-6);
  EXPECT_NEAR(avg[1], -0.5 * 20 * eta, 1e-6);
  EXPECT_GT(std::fabs(avg[1]) / std::fabs(avg[0]), 19.0);  // 20x toward the busy client
  EXPECT_NEAR(nova[1] / nova[0], 1.0, 1e-5);                // both objectives count equally
}

// Many rounds on quadratics F_i(w) = (w - a_i)^2 / 2 with exact local gradient descent: FedAvg
// settles at the optimum weighted by the step counts, FedNova near the true optimum sum p_i a_i
// (Wang et al. 2020, the objective-inconsistency example).
TEST(FlStrategy, FedNovaConvergesToTheTrueOptimumFedAvgDoesNot) {
  const std::vector<ClientReport> r = {{.client = 0, .samples = 1, .local_steps = 2},
                                       {.client = 1, .samples = 1, .local_steps = 40}};
  const double a[2] = {-1.0, 1.0};  // true optimum of (F_0 + F_1)/2 is 0
  const double eta = 0.001;
  auto run = [&](const std::string& name) {
    const auto s = make_strategy(name, {});
    std::vector<float> g = {0.0f};
    for (int round = 0; round < 400; ++round) {
      std::vector<std::vector<float>> delta(2, std::vector<float>(1));
      for (int i = 0; i < 2; ++i) {
        double w = g[0];
        for (std::int64_t t = 0; t < r[i].local_steps; ++t) w -= eta * (w - a[i]);
        delta[i][0] = static_cast<float>(w - g[0]);
      }
      const std::vector<ClientUpdateView> u = {{&r[0], delta[0]}, {&r[1], delta[1]}};
      s->aggregate(g, u, g);
    }
    return static_cast<double>(g[0]);
  };
  const double nova = run("fednova");
  const double avg = run("fedavg");
  // FedAvg's fixed point is close to sum tau_i a_i / sum tau_i = 38/42
  EXPECT_GT(avg, 0.8);
  EXPECT_NEAR(nova, 0.0, 0.02);
}

TEST(FlStrategy, UnknownNameListsTheKnownOnes) {
  try {
    make_strategy("fedsgd", {});
    FAIL() << "no InputError";
  } catch (const InputError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("fedsgd"), std::string::npos) << m;
    for (const char* known : {"fedavg", "fednova", "fedprox", "mean", "median", "trimmed_mean"}) {
      EXPECT_NE(m.find(known), std::string::npos) << m;
    }
  }
}

TEST(FlStrategy, OptionsOutOfRangeAreInputErrors) {
  EXPECT_THROW(make_strategy("fedavg", {.server_lr = 0}), InputError);
  EXPECT_THROW(make_strategy("fedprox", {.prox_mu = -0.1}), InputError);
  EXPECT_THROW(make_strategy("fedavg", {.server_lr = NAN}), InputError);
}

TEST(FlStrategy, NamesAreSortedAndIncludeTheBuiltIns) {
  const auto names = strategy_names();
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  for (const char* known : {"fedavg", "fednova", "fedprox", "mean", "median", "trimmed_mean"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), known), names.end()) << known;
  }
}

TEST(FlStrategy, ZeroClientsLeaveTheModelUnchanged) {
  const std::vector<float> g = {1.5f, -2.0f, 3.25f};
  for (const auto& name : strategy_names()) {
    std::vector<float> out(3, 0.0f);
    make_strategy(name, {})->aggregate(g, {}, out);
    EXPECT_EQ(out, g) << name;
  }
}

TEST(FlStrategy, AggregateRefusesUnsortedOrMisSizedUpdates) {
  const auto r = three_clients();
  const std::vector<float> g(4, 0.0f), d(4, 0.1f), short_d(3, 0.1f);
  std::vector<float> out(4);
  const auto s = make_strategy("fedavg", {});
  const std::vector<ClientUpdateView> unsorted = {{&r[1], d}, {&r[0], d}};
  EXPECT_THROW(s->aggregate(g, unsorted, out), Error);
  const std::vector<ClientUpdateView> mis_sized = {{&r[0], d}, {&r[1], short_d}};
  EXPECT_THROW(s->aggregate(g, mis_sized, out), Error);
}

// five clients, one of them sending an extreme update in every coordinate
struct FiveUpdates {
  std::vector<ClientReport> reports{{.client = 0, .samples = 10},
                                    {.client = 1, .samples = 10},
                                    {.client = 2, .samples = 1000},
                                    {.client = 3, .samples = 10},
                                    {.client = 4, .samples = 10}};
  std::vector<std::vector<float>> deltas{{1.0f, -4.0f}, {2.0f, -3.0f}, {1000.0f, 1000.0f}, {3.0f, -2.0f}, {4.0f, -1.0f}};
  std::vector<ClientUpdateView> views(std::size_t k = 5) const {
    std::vector<ClientUpdateView> v;
    for (std::size_t i = 0; i < k; ++i) v.push_back({&reports[i], deltas[i]});
    return v;
  }
};

TEST(FlStrategy, MedianIgnoresAnExtremeClientWhateverItsWeight) {
  const FiveUpdates f;
  const std::vector<float> g = {10.0f, 20.0f};
  std::vector<float> out(2);
  const auto s = make_strategy("median", {.server_lr = 0.5});
  EXPECT_FALSE(s->coefficients(f.reports).has_value());  // gathered, not linear
  s->aggregate(g, f.views(), out);
  EXPECT_EQ(out, (std::vector<float>{10.0f + 0.5f * 3.0f, 20.0f + 0.5f * -2.0f}));
  // K even: the mean of the two middle values (1, 2, 1000, 3 -> 2.5; -4, -3, 1000, -2 -> -2.5)
  make_strategy("median", {})->aggregate(g, f.views(4), out);
  EXPECT_EQ(out, (std::vector<float>{12.5f, 17.5f}));
  // while FedAvg follows the heavy outlier
  make_strategy("fedavg", {})->aggregate(g, f.views(), out);
  EXPECT_GT(out[0], 900.0f);
}

TEST(FlStrategy, TrimmedMeanCutsFloorBetaKAtEachEnd) {
  const FiveUpdates f;
  const std::vector<float> g = {0.0f, 0.0f};
  std::vector<float> out(2);
  // beta 0.2, K 5: one value cut at each end -> mean of the middle three
  make_strategy("trimmed_mean", {.trim_fraction = 0.2})->aggregate(g, f.views(), out);
  EXPECT_FLOAT_EQ(out[0], 3.0f);   // (2 + 3 + 4) / 3
  EXPECT_FLOAT_EQ(out[1], -2.0f);  // (-3 - 2 - 1) / 3
  // beta 0.1, K 5: floor(0.5) = 0 cut: the unweighted mean, outlier included
  make_strategy("trimmed_mean", {.trim_fraction = 0.1})->aggregate(g, f.views(), out);
  EXPECT_FLOAT_EQ(out[0], 1010.0f / 5.0f);
  // the order of equal-id-sorted inputs does not matter, only the values: same result from a
  // permutation of the values among the clients
  FiveUpdates p = f;
  std::swap(p.deltas[0], p.deltas[4]);
  std::vector<float> again(2);
  make_strategy("trimmed_mean", {.trim_fraction = 0.2})->aggregate(g, p.views(), again);
  make_strategy("trimmed_mean", {.trim_fraction = 0.2})->aggregate(g, f.views(), out);
  EXPECT_EQ(again, out);
  EXPECT_THROW(make_strategy("trimmed_mean", {.trim_fraction = 0.5}), InputError);
  EXPECT_THROW(make_strategy("trimmed_mean", {.trim_fraction = -0.1}), InputError);
}

// A non-linear strategy registered from outside: the registry hands it out and its own
// aggregate() is used (here: the coordinate-wise median, the robust rule's shape).
class Median final : public Strategy {
 public:
  std::string name() const override { return "test_median"; }
  std::optional<std::vector<double>> coefficients(std::span<const ClientReport>) const override {
    return std::nullopt;
  }
  AggregateResult aggregate(std::span<const float> global, std::span<const ClientUpdateView> updates,
                            std::span<float> new_global) const override {
    for (std::size_t j = 0; j < global.size(); ++j) {
      std::vector<float> v;
      for (const auto& u : updates) v.push_back(u.delta[j]);
      std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
      new_global[j] = global[j] + v[v.size() / 2];
    }
    return {};
  }
};

TEST(FlStrategy, RegisteredNonLinearStrategyIsUsedByName) {
  EXPECT_TRUE(register_strategy("test_median", [](const StrategyOptions&) { return std::make_unique<Median>(); }));
  const auto s = make_strategy("test_median", {});
  EXPECT_FALSE(s->coefficients(three_clients()).has_value());
  const auto r = three_clients();
  const std::vector<float> g = {0.0f}, d0 = {1.0f}, d1 = {100.0f}, d2 = {2.0f};
  const std::vector<ClientUpdateView> u = {{&r[0], d0}, {&r[1], d1}, {&r[2], d2}};
  std::vector<float> out(1);
  s->aggregate(g, u, out);
  EXPECT_EQ(out[0], 2.0f);  // the outlier 100 does not move it
}

}  // namespace
}  // namespace fedload::fl
