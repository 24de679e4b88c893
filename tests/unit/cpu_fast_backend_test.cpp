// The "cpu" backend against "cpu_reference" through the ForecasterBackend interface: the
// forecast, the loss, every gradient and the parameters after optimizer steps, on shapes that
// break blocked or vectorized code (B=1, T=1, H=1, I=7, H=33, stacked layers, a batch smaller
// than the one the backend was built for), with fresh random inputs every run.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "cpu_fast_support.hpp"
#include "fedload/core/error.hpp"
#include "fedload/kernels/backend.hpp"
#include "fedload/kernels/cpu_fast.hpp"
#include "fedload/kernels/init.hpp"
#include "model_compare.hpp"

namespace fedload::test {
namespace {

using kernels::ForecasterDims;
using kernels::LossKind;
using kernels::OptimizerKind;
using kernels::OptimizerOptions;

constexpr double kRtol = 1e-4;
constexpr double kAtol = 1e-6;

struct BackendCase {
  ForecasterDims d;
  int batch;  // samples loaded, <= d.B
};

std::string case_name(const BackendCase& c) {
  const auto& d = c.d;
  return "B" + std::to_string(d.B) + "b" + std::to_string(c.batch) + "_T" + std::to_string(d.T) + "_I" +
         std::to_string(d.I) + "_H" + std::to_string(d.H) + "_L" + std::to_string(d.layers) + "_O" +
         std::to_string(d.O);
}

// Both backends on the same parameters and batch.
struct Pair {
  std::unique_ptr<kernels::ForecasterBackend> fast, ref;
  std::size_t n_params = 0;
  int b = 0, O = 0;

  Pair(const BackendCase& c, std::uint64_t seed) : b(c.batch), O(c.d.O) {
    fast = kernels::make_backend("cpu", c.d);
    ref = kernels::make_backend("cpu_reference", c.d);
    n_params = kernels::forecaster_param_count(c.d);
    std::vector<float> params(n_params);
    kernels::init_forecaster_params(c.d, seed, params.data());
    const auto x = random_vector<float>(static_cast<std::size_t>(c.batch) * c.d.T * c.d.I, seed + 1);
    const auto y = random_vector<float>(static_cast<std::size_t>(c.batch) * c.d.O, seed + 2);
    for (auto* be : {fast.get(), ref.get()}) {
      be->set_params(params.data());
      be->load_batch(x.data(), y.data(), c.batch);
    }
  }
  std::vector<float> params(kernels::ForecasterBackend& be) const {
    std::vector<float> v(n_params);
    be.get_params(v.data());
    return v;
  }
  std::vector<float> grads(kernels::ForecasterBackend& be) const {
    std::vector<float> v(n_params);
    be.get_grads(v.data());
    return v;
  }
  std::vector<float> forecast(kernels::ForecasterBackend& be) const {
    std::vector<float> v(static_cast<std::size_t>(b) * O);
    be.predict(v.data());
    return v;
  }
};

// Gradients slot by slot, so a failure names the parameter group; each is a sum over all
// samples and steps, judged with sum_atol.
void expect_grads_close(const ForecasterDims& d, const std::vector<float>& got, const std::vector<float>& ref) {
  for (const auto& slot : kernels::forecaster_layout(d)) {
    EXPECT_TRUE(all_close("gradient of " + slot.name, got.data() + slot.offset, ref.data() + slot.offset, slot.size(),
                          kRtol, sum_atol(ref.data() + slot.offset, slot.size())));
  }
}

class CpuFastBackend : public ::testing::TestWithParam<BackendCase> {};

TEST_P(CpuFastBackend, ForecastLossAndEveryGradientMatchTheReference) {
  FEDLOAD_TRACE_SEED();
  const BackendCase& c = GetParam();
  for (LossKind loss : {LossKind::kMse, LossKind::kL1}) {
    SCOPED_TRACE(loss == LossKind::kMse ? "mse" : "l1");
    Pair p(c, run_seed() + (loss == LossKind::kMse ? 0 : 10));
    EXPECT_TRUE(all_close("forecast", p.forecast(*p.fast), p.forecast(*p.ref), kRtol, kAtol));
    p.fast->forward_backward(loss);
    p.ref->forward_backward(loss);
    const double lf = p.fast->loss(), lr = p.ref->loss();
    EXPECT_LE(std::abs(lf - lr), kAtol + kRtol * std::abs(lr)) << "loss " << lf << " vs reference " << lr;
    expect_grads_close(c.d, p.grads(*p.fast), p.grads(*p.ref));
    // a second pass must overwrite the gradients, not add to them
    p.fast->forward_backward(loss);
    expect_grads_close(c.d, p.grads(*p.fast), p.grads(*p.ref));
  }
}

TEST_P(CpuFastBackend, ParametersAfterSgdStepsWithClippingMatchTheReference) {
  FEDLOAD_TRACE_SEED();
  const BackendCase& c = GetParam();
  OptimizerOptions sgd;
  sgd.kind = OptimizerKind::kSgd;
  sgd.lr = 5e-2f;
  sgd.weight_decay = 1e-3f;
  sgd.max_grad_norm = 0.05f;  // small enough to clip at these shapes
  Pair p(c, run_seed() + 20);
  for (int step = 0; step < 3; ++step) {
    for (auto* be : {p.fast.get(), p.ref.get()}) {
      be->forward_backward(LossKind::kMse);
      be->optimizer_step(sgd);
    }
  }
  EXPECT_TRUE(all_close("parameters after 3 steps", p.params(*p.fast), p.params(*p.ref), kRtol, kAtol));
  EXPECT_TRUE(all_close("forecast after 3 steps", p.forecast(*p.fast), p.forecast(*p.ref), kRtol, kAtol));
}

// Adam's first step moves every parameter by lr g / (|g| + eps): about lr whatever the size of
// g, so a gradient element within its tolerance of zero may move either way in either backend.
// The bound is the gradient tolerance carried through that step: rtol |p| + atol +
// lr min(2, 2 tol(g) / |g|), with tol(g) the gradients' tolerance (sum_atol + rtol |g|).
TEST_P(CpuFastBackend, ParametersAfterAnAdamStepMatchTheReference) {
  FEDLOAD_TRACE_SEED();
  const BackendCase& c = GetParam();
  OptimizerOptions adam;
  adam.lr = 1e-2f;
  Pair p(c, run_seed() + 40);
  for (auto* be : {p.fast.get(), p.ref.get()}) be->forward_backward(LossKind::kMse);
  const auto g_ref = p.grads(*p.ref);
  for (auto* be : {p.fast.get(), p.ref.get()}) be->optimizer_step(adam);
  const auto got = p.params(*p.fast), want = p.params(*p.ref);
  std::size_t wrong = 0, worst = 0;
  double worst_ratio = 0.0;
  for (const auto& slot : kernels::forecaster_layout(c.d)) {
    const double g_atol = sum_atol(g_ref.data() + slot.offset, slot.size());
    for (std::size_t k = slot.offset; k < slot.offset + slot.size(); ++k) {
      const double g = std::abs(static_cast<double>(g_ref[k]));
      const double g_tol = g_atol + kRtol * g;
      const double tol = kAtol + kRtol * std::abs(want[k]) + adam.lr * std::min(2.0, 2.0 * g_tol / std::max(g, 1e-30));
      const double ratio = std::abs(static_cast<double>(got[k]) - want[k]) / tol;
      if (!(ratio <= 1.0)) ++wrong;
      if (!(ratio <= worst_ratio)) {
        worst_ratio = ratio;
        worst = k;
      }
    }
  }
  EXPECT_EQ(wrong, 0u) << "worst parameter [" << worst << "]: " << got[worst] << " vs reference " << want[worst]
                       << " with gradient " << g_ref[worst] << " (" << worst_ratio << "x the tolerance)";
  // the Adam moments carry on: a second step on both must stay within the same kind of bound,
  // checked here through the forecast, which every parameter feeds
  for (auto* be : {p.fast.get(), p.ref.get()}) be->forward_backward(LossKind::kMse);
  EXPECT_LE(std::abs(p.fast->loss() - p.ref->loss()), 1e-3 * std::abs(p.ref->loss()))
      << "loss after one Adam step " << p.fast->loss() << " vs reference " << p.ref->loss();
}

INSTANTIATE_TEST_SUITE_P(
    OddShapes, CpuFastBackend,
    ::testing::Values(BackendCase{{1, 1, 1, 1, 1, 1}, 1}, BackendCase{{1, 24, 7, 33, 1, 24}, 1},
                      BackendCase{{6, 1, 7, 33, 2, 5}, 6}, BackendCase{{4, 10, 3, 1, 2, 3}, 4},
                      BackendCase{{9, 13, 7, 33, 2, 24}, 5}, BackendCase{{8, 16, 5, 64, 3, 12}, 8},
                      BackendCase{{16, 24, 5, 128, 1, 24}, 16}),
    [](const auto& info) { return case_name(info.param); });

TEST(CpuFastBackendRegistry, IsRegisteredBesideTheReference) {
  const auto names = kernels::backend_names();
  EXPECT_NE(std::find(names.begin(), names.end(), "cpu"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "cpu_reference"), names.end());
  EXPECT_EQ(kernels::make_backend("cpu", {2, 3, 4, 5, 1, 6})->name(), "cpu");
}

TEST(CpuFastBackendRegistry, RejectsBadBatchesAndThreadCounts) {
  auto be = kernels::make_backend("cpu", {2, 3, 4, 5, 1, 6});
  const std::vector<float> x(3 * 3 * 4, 0.5f), y(3 * 6, 0.5f);
  EXPECT_THROW(be->load_batch(x.data(), y.data(), 3), InputError);
  EXPECT_THROW(be->load_batch(x.data(), y.data(), 0), InputError);
  be->load_batch(x.data(), nullptr, 2);
  EXPECT_THROW(be->forward_backward(LossKind::kMse), InputError);
  EXPECT_THROW(kernels::set_cpu_threads(0), InputError);
  EXPECT_THROW(kernels::make_backend("cpu", {2, 0, 4, 5, 1, 6}), InputError);
}

TEST(CpuFastBackendThreads, TwoThreadsGiveTheSameStepAsOne) {
  FEDLOAD_TRACE_SEED();
  // big enough that every kernel splits: GEMM panels, packing and the samples of the cell update
  const BackendCase c{{64, 12, 5, 96, 2, 24}, 64};
  const int before = kernels::cpu_threads();
  std::vector<std::vector<float>> grads;
  for (int threads : {1, 2}) {
    kernels::set_cpu_threads(threads);
    EXPECT_EQ(kernels::cpu_threads(), threads);
    Pair p(c, run_seed() + 30);
    p.fast->forward_backward(LossKind::kMse);
    grads.push_back(p.grads(*p.fast));
  }
  kernels::set_cpu_threads(before);
  expect_grads_close(c.d, grads[1], grads[0]);
}

TEST(CpuFastBackendMemory, FormulaCountsTheActivationsOfEveryLayer) {
  const ForecasterDims one{32, 24, 5, 128, 1, 24}, two{32, 24, 5, 128, 2, 24};
  const double extra = static_cast<double>(kernels::cpu_backend_bytes(two)) - kernels::cpu_backend_bytes(one);
  // a second layer adds its parameters (4H(H+H+2), each held 4 times: value, gradient, Adam m
  // and v) and its activations (h, c and four gates: 6BTH), all floats
  const double H = 128, bth = 32.0 * 24 * 128;
  EXPECT_DOUBLE_EQ(extra, 4.0 * (4 * 4 * H * (2 * H + 2) + 6 * bth));
}

}  // namespace
}  // namespace fedload::test
