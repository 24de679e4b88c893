// model::local_train, a client's local work in one round: how many steps it takes, that it is
// deterministic, that it learns, that FedProx's term keeps it near the center, and its errors.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <string>
#include <vector>

#include "fedload/core/error.hpp"
#include "fedload/core/rng.hpp"
#include "fedload/kernels/init.hpp"
#include "fedload/model/local_training.hpp"
#include "fedload/model/trainer.hpp"

namespace fedload::test {
namespace {

using kernels::ForecasterDims;

// next-step sine forecasting: X = 12 past values, Y = the next 3
void sine_rows(std::size_t n, std::vector<float>& X, std::vector<float>& Y) {
  X.resize(n * 12);
  Y.resize(n * 3);
  for (std::size_t r = 0; r < n; ++r) {
    for (int t = 0; t < 15; ++t) {
      const float v = static_cast<float>(std::sin(2 * std::numbers::pi * (static_cast<double>(r) + t) / 10.0));
      if (t < 12) X[r * 12 + t] = v; else Y[r * 3 + t - 12] = v;
    }
  }
}

struct Client {
  ForecasterDims d{8, 12, 1, 6, 1, 3};
  std::vector<float> X, Y, w0;
  std::unique_ptr<kernels::ForecasterBackend> backend;

  explicit Client(std::size_t n, const std::string& name = "cpu_reference") {
    sine_rows(n, X, Y);
    w0.resize(kernels::forecaster_param_count(d));
    kernels::init_forecaster_params(d, 11, w0.data());
    backend = kernels::make_backend(name, d);
    backend->set_params(w0.data());
  }
  model::Rows rows() const { return {X.data(), Y.data(), Y.size() / 3}; }
  std::vector<float> params() const {
    std::vector<float> p(w0.size());
    backend->get_params(p.data());
    return p;
  }
};

double distance(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0.0;
  for (std::size_t k = 0; k < a.size(); ++k) s += (double(a[k]) - b[k]) * (double(a[k]) - b[k]);
  return std::sqrt(s);
}

TEST(LocalTrain, StepsModeTakesExactlyThatManyStepsWrappingOverEpochs) {
  Client c(10);
  model::LocalTrainOptions o;
  o.batch = 4;
  o.steps = 7;  // epochs of 4 + 4 + 2 rows: 4 4 2 | 4 4 2 | 4
  const auto r = model::local_train(*c.backend, c.rows(), o);
  EXPECT_EQ(r.steps, 7);
  EXPECT_EQ(r.rows_visited, 24u);
  EXPECT_TRUE(std::isfinite(r.mean_loss));
  EXPECT_GT(r.mean_loss, 0.0);
  EXPECT_GE(r.seconds, 0.0);
}

TEST(LocalTrain, EpochsModeTakesWholeEpochsWithTheBatchCappedAtTheBackends) {
  Client c(10);
  model::LocalTrainOptions o;
  o.epochs = 3;
  o.batch = 4;
  auto r = model::local_train(*c.backend, c.rows(), o);
  EXPECT_EQ(r.steps, 9);  // ceil(10 / 4) * 3
  EXPECT_EQ(r.rows_visited, 30u);
  EXPECT_EQ(model::local_train_steps(10, 8, o), 9);
  o.batch = 32;  // capped at B = 8: ceil(10 / 8) * 3
  r = model::local_train(*c.backend, c.rows(), o);
  EXPECT_EQ(r.steps, 6);
  EXPECT_EQ(r.rows_visited, 30u);
}

TEST(LocalTrain, IsBitwiseDeterministicAndEpochsEqualTheSameNumberOfSteps) {
  model::LocalTrainOptions o;
  o.epochs = 2;
  o.batch = 3;
  o.seed = 5;
  o.stream = 40;
  Client a(11), b(11), other(11), steps(11);
  const auto ra = model::local_train(*a.backend, a.rows(), o);
  const auto rb = model::local_train(*b.backend, b.rows(), o);
  EXPECT_EQ(a.params(), b.params());
  EXPECT_EQ(ra.mean_loss, rb.mean_loss);
  // epochs mode is steps mode over the same sequence of batches
  model::LocalTrainOptions s = o;
  s.epochs = 0;
  s.steps = ra.steps;
  model::local_train(*steps.backend, steps.rows(), s);
  EXPECT_EQ(steps.params(), a.params());
  // another stream (another client or round) visits the rows in another order
  o.stream = 41;
  model::local_train(*other.backend, other.rows(), o);
  EXPECT_NE(other.params(), a.params());
}

TEST(LocalTrain, DrivesTheLossDownOnASineTask) {
  Client c(60);
  const double before = model::evaluate_loss(*c.backend, c.X.data(), c.Y.data(), 60, kernels::LossKind::kMse);
  model::LocalTrainOptions o;
  o.epochs = 20;
  o.batch = 8;
  o.optimizer.lr = 0.02f;
  const auto r = model::local_train(*c.backend, c.rows(), o);
  const double after = model::evaluate_loss(*c.backend, c.X.data(), c.Y.data(), 60, kernels::LossKind::kMse);
  EXPECT_LT(after, 0.1 * before);
  EXPECT_LT(r.mean_loss, before);
}

// FedProx: the proximal term pulls the local model toward the center (here the start), so
// after the same local work it ends nearer to it than without the term; on both host backends
// and both optimizers.
TEST(LocalTrain, ProximalTermKeepsTheModelNearerTheCenter) {
  for (const std::string name : {"cpu_reference", "cpu"}) {
    for (auto kind : {kernels::OptimizerKind::kAdam, kernels::OptimizerKind::kSgd}) {
      SCOPED_TRACE(name + (kind == kernels::OptimizerKind::kAdam ? " adam" : " sgd"));
      model::LocalTrainOptions o;
      o.epochs = 10;
      o.batch = 8;
      o.optimizer.kind = kind;
      o.optimizer.lr = kind == kernels::OptimizerKind::kAdam ? 0.02f : 0.1f;
      Client plain(40, name), prox(40, name);
      model::local_train(*plain.backend, plain.rows(), o);
      o.optimizer.prox_mu = 1.0f;
      prox.backend->set_prox_center(prox.w0.data());
      const auto r = model::local_train(*prox.backend, prox.rows(), o);
      EXPECT_TRUE(std::isfinite(r.mean_loss));
      const double d_plain = distance(plain.params(), plain.w0), d_prox = distance(prox.params(), prox.w0);
      EXPECT_GT(d_prox, 0.0);
      EXPECT_LT(d_prox, 0.75 * d_plain) << "prox " << d_prox << ", plain " << d_plain;
    }
  }
}

TEST(LocalTrain, NonFiniteLossNamesTheStepAndKeepsTheParametersBeforeIt) {
  Client c(6);
  c.Y[3 * 3 + 1] = std::numeric_limits<float>::quiet_NaN();  // row 3
  model::LocalTrainOptions o;
  o.batch = 2;
  o.steps = 6;
  o.seed = 9;
  o.stream = 2;
  // the batch holding row 3 in the first epoch's order: positions 2k, 2k+1 form step k+1
  const auto order = CounterRng(o.seed, o.stream).permutation(6);
  std::int64_t bad = 0;
  for (std::size_t k = 0; k < order.size(); ++k)
    if (order[k] == 3) bad = static_cast<std::int64_t>(k / 2) + 1;
  try {
    model::local_train(*c.backend, c.rows(), o);
    FAIL() << "a NaN target was trained on";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("step " + std::to_string(bad) + " of 6"), std::string::npos) << e.what();
  }
  // the parameters are those after the steps before it
  Client ref(6);
  if (bad > 1) {
    o.steps = bad - 1;
    model::local_train(*ref.backend, ref.rows(), o);
  }
  EXPECT_EQ(c.params(), ref.params());
}

TEST(LocalTrain, RejectsBadOptionsAndProxWithoutCenter) {
  Client c(5);
  model::LocalTrainOptions o;
  EXPECT_THROW(model::local_train(*c.backend, {c.X.data(), c.Y.data(), 0}, o), InputError);
  o.batch = 0;
  EXPECT_THROW(model::local_train(*c.backend, c.rows(), o), InputError);
  o.batch = 2;
  o.steps = -1;
  EXPECT_THROW(model::local_train(*c.backend, c.rows(), o), InputError);
  o.steps = 0;
  o.epochs = 0;
  EXPECT_THROW(model::local_train(*c.backend, c.rows(), o), InputError);
  o.epochs = 1;
  o.optimizer.prox_mu = 0.1f;  // no set_prox_center on this backend
  EXPECT_THROW(model::local_train(*c.backend, c.rows(), o), Error);
  EXPECT_EQ(c.params(), c.w0);
}

}  // namespace
}  // namespace fedload::test
