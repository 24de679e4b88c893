// Trainer, forecast metrics and baselines on cases whose answer is known.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "fedload/core/error.hpp"
#include "fedload/kernels/init.hpp"
#include "fedload/model/baselines.hpp"
#include "fedload/model/metrics.hpp"
#include "fedload/model/trainer.hpp"
#include "model_compare.hpp"

namespace fedload::test {
namespace {

TEST(ForecastMetrics, HandComputedValues) {
  const std::vector<float> y = {2, 4, 0, 8}, yhat = {1, 5, 1, 8};
  const auto m = model::forecast_metrics(y.data(), yhat.data(), 4);
  EXPECT_NEAR(m.mape, 100.0 * (0.5 + 0.25 + 0.0) / 3, 1e-9);  // the zero actual is left out
  EXPECT_NEAR(m.mae, 3.0 / 4, 1e-9);
  EXPECT_NEAR(m.rmse, std::sqrt(3.0 / 4), 1e-9);
  // mean 3.5, SS_tot = 2.25 + 0.25 + 12.25 + 20.25 = 35
  EXPECT_NEAR(m.r2, 1.0 - 3.0 / 35.0, 1e-9);
  const std::vector<float> zeros = {0, 0};
  EXPECT_THROW(model::forecast_metrics(zeros.data(), zeros.data(), 2), InputError);
}

TEST(SeasonalNaive, RepeatsTheLastSeason) {
  const std::vector<float> s = {0, 1, 2, 3, 4, 5, 6, 7};
  // origin t = 3, period 3: forecasts of s[4], s[5], s[6], s[7] are s[1], s[2], s[3], s[1]...
  // h=4 needs two seasons back: s[3 + 4 - 6] = s[1]
  const auto f = model::seasonal_naive(s, 3, 4, 3, 2);
  EXPECT_EQ(f, (std::vector<float>{1, 2, 3, 1, 2, 3, 4, 2}));
  EXPECT_THROW(model::seasonal_naive(s, 3, 1, 1, 1), InputError);
  EXPECT_THROW(model::seasonal_naive(s, 0, 1, 3, 1), InputError);
}

TEST(Ridge, RecoversAKnownLinearMapAndPrefersSmallLambdaWithoutNoise) {
  const int L = 4, O = 2, n = 200;
  const double W[O][L] = {{0.5, -1.0, 0.25, 2.0}, {1.5, 0.0, -0.75, 0.1}};
  const double bias[O] = {0.3, -0.2}, day[O] = {0.05, -0.1};  // day-of-week effect: day * dow
  auto make = [&](int rows, std::uint64_t seed, std::vector<float>& X, std::vector<int>& dow, std::vector<float>& Y) {
    X = random_vector<float>(static_cast<std::size_t>(rows) * L, seed);
    dow.resize(rows);
    Y.resize(static_cast<std::size_t>(rows) * O);
    for (int r = 0; r < rows; ++r) {
      dow[r] = r % 7;
      for (int o = 0; o < O; ++o) {
        double s = bias[o] + day[o] * dow[r];
        for (int k = 0; k < L; ++k) s += W[o][k] * X[static_cast<std::size_t>(r) * L + k];
        Y[static_cast<std::size_t>(r) * O + o] = static_cast<float>(s);
      }
    }
  };
  std::vector<float> X, Y, Xv, Yv;
  std::vector<int> d, dv;
  make(n, 1, X, d, Y);
  make(50, 2, Xv, dv, Yv);
  model::RidgeForecaster ridge;
  EXPECT_EQ(ridge.fit(X, d, Y, L, O, Xv, dv, Yv, {10.0, 1.0, 1e-6}), 1e-6);
  for (int o = 0; o < O; ++o) {
    for (int k = 0; k < L; ++k) EXPECT_NEAR(ridge.weights()[o * (L + 8) + k], W[o][k], 1e-3) << o << "," << k;
  }
  EXPECT_TRUE(all_close("ridge predictions", ridge.predict(Xv, dv), Yv, 1e-3, 1e-3));
}

TEST(Cholesky, SolvesASymmetricPositiveDefiniteSystem) {
  const std::vector<double> A = {4, 2, 0, 2, 5, 1, 0, 1, 3}, x = {1, -2, 3};
  std::vector<double> b(3, 0.0);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) b[i] += A[i * 3 + j] * x[j];
  EXPECT_TRUE(all_close("x", model::cholesky_solve(A, b, 3), x, 1e-12, 1e-12));
  EXPECT_THROW(model::cholesky_solve({1, 2, 2, 1}, {1, 1}, 2), Error);
}

// next-step sine forecasting: X = 12 past values, Y = the next 3
void sine_task(std::size_t n, std::vector<float>& X, std::vector<float>& Y) {
  X.resize(n * 12);
  Y.resize(n * 3);
  for (std::size_t r = 0; r < n; ++r) {
    for (int t = 0; t < 15; ++t) {
      const float v = static_cast<float>(std::sin(2 * std::numbers::pi * (static_cast<double>(r) + t) / 10.0));
      if (t < 12) X[r * 12 + t] = v; else Y[r * 3 + t - 12] = v;
    }
  }
}

TEST(Trainer, DrivesTheSineLossDownAndKeepsTheBestEpoch) {
  const kernels::ForecasterDims d{16, 12, 1, 8, 1, 3};
  std::vector<float> X, Y, p(kernels::forecaster_param_count(d));
  sine_task(120, X, Y);
  kernels::init_forecaster_params(d, 3, p.data());
  auto backend = kernels::make_backend("cpu_reference", d);
  backend->set_params(p.data());
  const double before = model::evaluate_loss(*backend, X.data() + 96 * 12, Y.data() + 96 * 3, 24, kernels::LossKind::kMse);
  model::TrainOptions o;
  o.epochs = 30;
  o.batch = 8;
  o.patience = 30;
  o.optimizer.lr = 0.02f;
  const auto h = model::train_forecaster(*backend, X.data(), Y.data(), 120, o);
  ASSERT_EQ(h.epochs.size(), 30u);
  EXPECT_LT(h.best_validation_loss, 0.1 * before);
  const double after = model::evaluate_loss(*backend, X.data() + 96 * 12, Y.data() + 96 * 3, 24, kernels::LossKind::kMse);
  EXPECT_DOUBLE_EQ(after, h.best_validation_loss);  // the best epoch's parameters are restored
}

TEST(Trainer, EarlyStoppingRestoresTheBestEpoch) {
  // a learning rate far too large makes validation worse after the first epochs
  const kernels::ForecasterDims d{8, 12, 1, 4, 1, 3};
  std::vector<float> X, Y, p(kernels::forecaster_param_count(d));
  sine_task(40, X, Y);
  kernels::init_forecaster_params(d, 4, p.data());
  auto backend = kernels::make_backend("cpu_reference", d);
  backend->set_params(p.data());
  model::TrainOptions o;
  o.epochs = 50;
  o.patience = 2;
  o.optimizer.kind = kernels::OptimizerKind::kSgd;
  o.optimizer.lr = 5.0f;
  const auto h = model::train_forecaster(*backend, X.data(), Y.data(), 40, o);
  ASSERT_TRUE(h.stopped_early);
  EXPECT_EQ(h.epochs.size(), static_cast<std::size_t>(h.best_epoch + 3));
  const double after = model::evaluate_loss(*backend, X.data() + 32 * 12, Y.data() + 32 * 3, 8, kernels::LossKind::kMse);
  EXPECT_DOUBLE_EQ(after, h.best_validation_loss);
  for (const auto& e : h.epochs) EXPECT_GE(e.validation_loss, h.best_validation_loss);
}

TEST(Trainer, LearningRateDecaysOnPlateauAndLastEpochCanBeKept) {
  // the same diverging set-up: every epoch after the first few is a plateau for the decay rule
  const kernels::ForecasterDims d{8, 12, 1, 4, 1, 3};
  std::vector<float> X, Y, p(kernels::forecaster_param_count(d)), last(p.size());
  sine_task(40, X, Y);
  kernels::init_forecaster_params(d, 4, p.data());
  auto backend = kernels::make_backend("cpu_reference", d);
  backend->set_params(p.data());
  model::TrainOptions o;
  o.epochs = 8;
  o.patience = 0;  // never stop: the decay alone acts
  o.optimizer.kind = kernels::OptimizerKind::kSgd;
  o.optimizer.lr = 5.0f;
  o.lr_decay = 0.5;
  o.lr_decay_patience = 2;
  o.restore_best = false;
  const std::size_t n_train = 32;
  const auto h = model::train_forecaster(*backend, {X.data(), Y.data(), n_train},
                                         {X.data() + n_train * 12, Y.data() + n_train * 3, 8}, o);
  ASSERT_EQ(h.epochs.size(), 8u);
  EXPECT_FLOAT_EQ(static_cast<float>(h.epochs.front().lr), 5.0f);
  // the rate only ever halves, and it halves once per two epochs without a new best
  int bad = 0;
  double best = h.epochs[0].validation_loss;
  for (std::size_t e = 1; e < h.epochs.size(); ++e) {
    const double want_ratio = (bad == 2) ? 0.5 : 1.0;
    if (bad == 2) bad = 0;
    EXPECT_DOUBLE_EQ(h.epochs[e].lr, h.epochs[e - 1].lr * want_ratio) << "epoch " << e;
    if (h.epochs[e].validation_loss < best) {
      best = h.epochs[e].validation_loss;
      bad = 0;
    } else {
      ++bad;
    }
  }
  EXPECT_LT(h.epochs.back().lr, 5.0);
  // restore_best = false: the backend ends with the last epoch's parameters
  const double after = model::evaluate_loss(*backend, X.data() + n_train * 12, Y.data() + n_train * 3, 8,
                                            kernels::LossKind::kMse);
  EXPECT_DOUBLE_EQ(after, h.epochs.back().validation_loss);
}

}  // namespace
}  // namespace fedload::test
