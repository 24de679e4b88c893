// The flat layout, the registry, the cpu_reference backend against the toolkit's forecaster,
// losses, clipping and optimizer steps against hand-computed values.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "fedload/core/error.hpp"
#include "fedload/kernels/backend.hpp"
#include "fedload/kernels/init.hpp"
#include "fedload/kernels/loss.hpp"
#include "fedload/kernels/optimizer.hpp"
#include "fedload/model/forecaster.hpp"
#include "model_compare.hpp"

namespace fedload::test {
namespace {

using kernels::ForecasterDims;
using kernels::LossKind;
using kernels::OptimizerKind;
using kernels::OptimizerOptions;

TEST(ForecasterLayout, FollowsPyTorchStateDictOrder) {
  const ForecasterDims d{4, 6, 3, 5, 2, 7};
  const auto slots = kernels::forecaster_layout(d);
  const std::vector<std::string> names = {"lstm.0.w_ih", "lstm.0.w_hh", "lstm.0.b_ih", "lstm.0.b_hh", "lstm.1.w_ih",
                                          "lstm.1.w_hh", "lstm.1.b_ih", "lstm.1.b_hh", "head.w",      "head.b"};
  ASSERT_EQ(slots.size(), names.size());
  std::size_t offset = 0;
  for (std::size_t k = 0; k < slots.size(); ++k) {
    EXPECT_EQ(slots[k].name, names[k]);
    EXPECT_EQ(slots[k].offset, offset) << names[k];
    offset += slots[k].size();
  }
  EXPECT_EQ(slots[0].shape, (std::vector<int>{20, 3}));
  EXPECT_EQ(slots[4].shape, (std::vector<int>{20, 5}));  // layer 1 reads layer 0's hidden state
  EXPECT_EQ(slots[8].shape, (std::vector<int>{7, 5}));
  // nn.LSTM(3, 5, 2) + nn.Linear(5, 7): 4H(I+H+2) + 4H(H+H+2) + O(H+1)
  EXPECT_EQ(kernels::forecaster_param_count(d), 20u * 10 + 20u * 12 + 7u * 6);
  EXPECT_EQ(offset, kernels::forecaster_param_count(d));
}

TEST(ForecasterLayout, RejectsNonPositiveDimensions) {
  EXPECT_THROW(kernels::forecaster_layout({4, 6, 3, 0, 1, 7}), InputError);
  EXPECT_THROW(kernels::make_backend("cpu_reference", {4, 6, 3, 5, 0, 7}), InputError);
}

TEST(BackendRegistry, ListsCpuReferenceAndRejectsUnknownNames) {
  const auto names = kernels::backend_names();
  EXPECT_NE(std::find(names.begin(), names.end(), "cpu_reference"), names.end());
  try {
    kernels::make_backend("no_such_backend", {1, 1, 1, 1, 1, 1});
    FAIL() << "an unknown backend name was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("cpu_reference"), std::string::npos) << e.what();
  }
}

TEST(ForecasterInit, ToolkitAndKernelInitAgreeAndForgetBiasIsShifted) {
  const ForecasterDims d{0, 3, 4, 6, 2, 5};
  model::Forecaster<float> f(d);
  f.init(99);
  std::vector<float> flat(kernels::forecaster_param_count(d));
  kernels::init_forecaster_params(d, 99, flat.data());
  ASSERT_EQ(f.params().size(), flat.size());
  EXPECT_EQ(f.params(), flat);
  ASSERT_EQ(f.layout().size(), kernels::forecaster_layout(d).size());
  for (std::size_t k = 0; k < f.layout().size(); ++k) EXPECT_EQ(f.layout()[k].name, kernels::forecaster_layout(d)[k].name);
  // forget-gate slice of b_ih lies in [1 - 1/sqrt(H), 1 + 1/sqrt(H)), the rest within the bound
  const auto& bih = f.layout()[2];
  const float bound = 1.0f / std::sqrt(6.0f);
  for (int j = 0; j < 24; ++j) {
    const float v = flat[bih.offset + j] - ((j >= 6 && j < 12) ? 1.0f : 0.0f);
    EXPECT_LE(std::abs(v), bound) << j;
  }
  std::vector<float> other(flat.size());
  kernels::init_forecaster_params(d, 100, other.data());
  EXPECT_NE(other, flat);
}

TEST(CpuReferenceBackend, MatchesToolkitForecaster) {
  const ForecasterDims d{5, 4, 3, 7, 2, 6};
  model::Forecaster<float> f(d);
  f.init(5);
  const auto x = random_vector<float>(3 * 4 * 3, 1), y = random_vector<float>(3 * 6, 2);
  auto backend = kernels::make_backend("cpu_reference", d);
  EXPECT_EQ(backend->name(), "cpu_reference");
  backend->set_params(f.params().data());
  backend->load_batch(x.data(), y.data(), 3);  // b < B
  for (auto loss : {LossKind::kMse, LossKind::kL1}) {
    const double l = f.loss_and_grad(model::Tensor<float>({3, 4, 3}, x), model::Tensor<float>({3, 6}, y), loss);
    backend->forward_backward(loss);
    EXPECT_NEAR(backend->loss(), l, 1e-6 * std::abs(l));
    std::vector<float> grads(f.grads().size());
    backend->get_grads(grads.data());
    EXPECT_TRUE(all_close("backend grads vs toolkit", grads, f.grads(), 1e-5, 1e-7));
  }
  std::vector<float> yhat(18);
  backend->predict(yhat.data());
  EXPECT_TRUE(all_close("predict", yhat, f.predict(model::Tensor<float>({3, 4, 3}, x)).data, 1e-6, 1e-7));
  EXPECT_THROW(backend->load_batch(x.data(), y.data(), 6), InputError);
}

TEST(CpuReferenceBackend, TrainingStepsLowerTheLossAndTimeIsPositive) {
  const ForecasterDims d{8, 5, 2, 8, 1, 3};
  std::vector<float> p(kernels::forecaster_param_count(d));
  kernels::init_forecaster_params(d, 1, p.data());
  const auto x = random_vector<float>(8 * 5 * 2, 3), y = random_vector<float>(8 * 3, 4, 0.2, 0.6);
  auto backend = kernels::make_backend("cpu_reference", d);
  backend->set_params(p.data());
  backend->load_batch(x.data(), y.data(), 8);
  backend->forward_backward(LossKind::kMse);
  const double before = backend->loss();
  OptimizerOptions opt;
  opt.lr = 1e-2f;
  EXPECT_GT(backend->time_train_steps(20, LossKind::kMse, opt), 0.0);
  backend->forward_backward(LossKind::kMse);
  EXPECT_LT(backend->loss(), 0.5 * before);
}

TEST(Loss, MseAndL1OnHandComputedValues) {
  const std::vector<double> yhat = {1.0, 2.0, 3.0, 4.0}, y = {1.5, 2.0, 1.0, 5.0};
  std::vector<double> g(4);
  EXPECT_DOUBLE_EQ(kernels::loss_and_grad(LossKind::kMse, 4, yhat.data(), y.data(), g.data()), (0.25 + 0 + 4 + 1) / 4);
  EXPECT_EQ(g, (std::vector<double>{-0.25, 0.0, 1.0, -0.5}));
  EXPECT_DOUBLE_EQ(kernels::loss_and_grad(LossKind::kL1, 4, yhat.data(), y.data(), g.data()), (0.5 + 0 + 2 + 1) / 4);
  EXPECT_EQ(g, (std::vector<double>{-0.25, 0.0, 0.25, -0.25}));
}

TEST(Optimizer, ClippingScalesToTheMaximumNorm) {
  std::vector<double> g = {3.0, 4.0};
  EXPECT_DOUBLE_EQ(kernels::clip_grad_norm(g.data(), 2, 1.0), 5.0);
  EXPECT_NEAR(kernels::global_grad_norm(g.data(), 2), 1.0, 1e-6);
  std::vector<double> small = {0.3, 0.4};
  kernels::clip_grad_norm(small.data(), 2, 1.0);
  EXPECT_EQ(small, (std::vector<double>{0.3, 0.4}));
}

TEST(Optimizer, AdamTwoStepsByHand) {
  OptimizerOptions opt;
  opt.lr = 0.1f;
  kernels::OptimizerState<double> state(1);
  std::vector<double> p = {1.0}, g = {0.5};
  state.step(opt, p.data(), g.data());
  // t=1: m = 0.05, v = 0.00025; mhat = 0.5, vhat = 0.25: p -= 0.1 * 0.5 / (0.5 + 1e-8)
  EXPECT_NEAR(p[0], 1.0 - 0.1 * 0.5 / (0.5 + 1e-8), 1e-7);
  g = {-1.0};
  const double before = p[0];
  state.step(opt, p.data(), g.data());
  const double m = 0.9 * 0.05 + 0.1 * -1.0, v = 0.999 * 0.00025 + 0.001 * 1.0;
  const double b1 = 0.9f, b2 = 0.999f;  // the options hold floats
  const double expected = before - 0.1 / (1 - b1 * b1) * m / (std::sqrt(v) / std::sqrt(1 - b2 * b2) + 1e-8);
  EXPECT_NEAR(p[0], expected, 1e-6);
  EXPECT_EQ(state.steps(), 2);
}

TEST(Optimizer, SgdMomentumWithWeightDecayByHand) {
  OptimizerOptions opt;
  opt.kind = OptimizerKind::kSgd;
  opt.lr = 0.5f;
  opt.momentum = 0.5f;
  opt.weight_decay = 0.25f;
  kernels::OptimizerState<double> state(1);
  std::vector<double> p = {2.0}, g = {1.0};
  state.step(opt, p.data(), g.data());  // g' = 1 + 0.5 = 1.5, buf = 1.5, p = 2 - 0.75
  EXPECT_DOUBLE_EQ(p[0], 1.25);
  state.step(opt, p.data(), g.data());  // g' = 1 + 0.3125, buf = 0.75 + 1.3125 = 2.0625
  EXPECT_DOUBLE_EQ(p[0], 1.25 - 0.5 * 2.0625);
  EXPECT_EQ(g[0], 1.0);  // weight decay does not modify the stored gradient
}

TEST(OptimizerProx, SgdAddsTheProximalGradientBeforeClippingAndDecay) {
  OptimizerOptions opt;
  opt.kind = OptimizerKind::kSgd;
  opt.lr = 0.5f;
  opt.momentum = 0.0f;
  opt.weight_decay = 0.125f;
  opt.max_grad_norm = 1.0f;
  opt.prox_mu = 0.5f;
  kernels::OptimizerState<double> state(2);
  std::vector<double> p = {2.0, -1.0}, g = {1.0, 0.0};
  const std::vector<double> c = {1.0, 1.0};
  state.step(opt, p.data(), g.data(), c.data());
  // prox: g = (1 + 0.5 * 1, 0 + 0.5 * -2) = (1.5, -1); clipped by 1 / (|g| + 1e-6); then + wd p
  const double coef = 1.0 / (std::sqrt(1.5 * 1.5 + 1.0) + 1e-6);
  EXPECT_NEAR(g[0], 1.5 * coef, 1e-12);  // the stored gradient holds the clipped full gradient
  EXPECT_NEAR(g[1], -1.0 * coef, 1e-12);
  EXPECT_NEAR(p[0], 2.0 - 0.5 * (1.5 * coef + 0.125 * 2.0), 1e-12);
  EXPECT_NEAR(p[1], -1.0 - 0.5 * (-1.0 * coef + 0.125 * -1.0), 1e-12);
}

TEST(OptimizerProx, AdamTwoStepsByHand) {
  OptimizerOptions opt;
  opt.lr = 0.1f;
  opt.prox_mu = 1.0f;
  kernels::OptimizerState<double> state(1);
  std::vector<double> p = {1.0}, g = {0.5};
  const std::vector<double> c = {0.5};
  state.step(opt, p.data(), g.data(), c.data());
  // t=1: g = 0.5 + (1 - 0.5) = 1: m = 0.1, v = 0.001, mhat = 1, vhat = 1
  EXPECT_NEAR(p[0], 1.0 - 0.1 / (1.0 + 1e-8), 1e-7);
  const double before = p[0];
  g = {-1.0};
  state.step(opt, p.data(), g.data(), c.data());
  const double gp = -1.0 + (before - 0.5);  // the proximal pull toward 0.5
  const double m = 0.9 * 0.1 + 0.1 * gp, v = 0.999 * 0.001 + 0.001 * gp * gp;
  const double b1 = 0.9f, b2 = 0.999f;  // the options hold floats
  const double expected = before - 0.1 / (1 - b1 * b1) * m / (std::sqrt(v) / std::sqrt(1 - b2 * b2) + 1e-8);
  EXPECT_NEAR(p[0], expected, 1e-6);
}

TEST(OptimizerProx, RefusesNegativeMuAndMuWithoutACenter) {
  OptimizerOptions opt;
  opt.prox_mu = -0.1f;
  kernels::OptimizerState<float> state(1);
  std::vector<float> p = {1.0f}, g = {1.0f}, c = {0.0f};
  EXPECT_THROW(state.step(opt, p.data(), g.data(), c.data()), InputError);
  opt.prox_mu = 0.1f;
  try {
    state.step(opt, p.data(), g.data(), nullptr);
    FAIL() << "prox_mu > 0 without a center was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("set_prox_center"), std::string::npos) << e.what();
  }
  EXPECT_EQ(p[0], 1.0f);  // a refused step changes nothing
  EXPECT_EQ(state.steps(), 0);
}

// Both host backends: mu > 0 before any center is an error; the center then stays through
// set_params, and a plain SGD step moves by lr (g + mu (w - center)).
TEST(OptimizerProx, HostBackendsKeepTheCenterAcrossSetParams) {
  const ForecasterDims d{4, 3, 2, 5, 1, 2};
  const std::size_t P = kernels::forecaster_param_count(d);
  std::vector<float> w0(P), center(P);
  kernels::init_forecaster_params(d, 1, w0.data());
  kernels::init_forecaster_params(d, 2, center.data());
  const auto x = random_vector<float>(4 * 3 * 2, 5), y = random_vector<float>(4 * 2, 6);
  OptimizerOptions opt;
  opt.kind = OptimizerKind::kSgd;
  opt.momentum = 0.0f;
  opt.lr = 0.1f;
  opt.prox_mu = 2.0f;
  for (const std::string name : {"cpu_reference", "cpu"}) {
    SCOPED_TRACE(name);
    auto backend = kernels::make_backend(name, d);
    backend->set_params(w0.data());
    backend->load_batch(x.data(), y.data(), 4);
    backend->forward_backward(LossKind::kMse);
    EXPECT_THROW(backend->optimizer_step(opt), Error);
    backend->set_prox_center(center.data());
    backend->set_params(w0.data());
    backend->forward_backward(LossKind::kMse);
    std::vector<float> g(P), got(P), want(P);
    backend->get_grads(g.data());
    backend->optimizer_step(opt);
    backend->get_params(got.data());
    for (std::size_t k = 0; k < P; ++k) want[k] = w0[k] - 0.1f * (g[k] + 2.0f * (w0[k] - center[k]));
    EXPECT_TRUE(all_close("parameters after a prox step", got, want, 1e-6, 1e-7));
  }
}

}  // namespace
}  // namespace fedload::test
