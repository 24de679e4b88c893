// Every GPU backend against cpu_reference: loss, predictions, every gradient and the parameters
// after optimizer steps, on fresh random inputs, shapes that are not multiples of 32, partial
// batches (the batch size changes between steps, so graphs are captured per batch size and
// replayed), both losses, both optimizers with clipping, weight decay and FedProx's proximal
// term, and the largest hidden size the persistent kernel accepts. The TF32 variants are held
// to their own, derived tolerance. GPU outputs are poisoned with NaN before each call. Skips
// (visibly) when no GPU is visible.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "fedload/core/error.hpp"
#include "fedload/core/rng.hpp"
#include "fedload/kernels/backend.hpp"
#include "fedload/kernels/device_info.hpp"
#include "fedload/kernels/gpu_backends.hpp"
#include "fedload/kernels/gpu_plan.hpp"
#include "fedload/kernels/init.hpp"
#include "gpu_compare.hpp"

namespace fedload::kernels {
namespace {

using testing::compare;
using testing::Tolerance;

std::vector<DeviceInfo> devices_or_skip_reason(std::string* why) { return query_devices(why); }

#define SKIP_WITHOUT_GPU()                                              \
  do {                                                                  \
    std::string why_;                                                   \
    if (devices_or_skip_reason(&why_).empty()) GTEST_SKIP() << "no GPU: " << why_; \
  } while (0)

std::vector<float> random_values(std::size_t n, double lo, double hi, std::uint64_t seed, std::uint64_t stream) {
  CounterRng rng(seed, stream);
  std::vector<float> v(n);
  for (float& x : v) x = static_cast<float>(rng.uniform(lo, hi));
  return v;
}

struct Case {
  std::string label;
  ForecasterDims d;
  int b;  // samples in the loaded batch (<= d.B)
  LossKind loss;
  OptimizerOptions opt;
};

std::vector<Case> standard_cases() {
  std::vector<Case> cases;
  OptimizerOptions adam;  // PyTorch defaults, lr 1e-3
  cases.push_back({"odd_2layer_mse_adam", {3, 5, 7, 33, 2, 11}, 3, LossKind::kMse, adam});
  OptimizerOptions sgd;
  sgd.kind = OptimizerKind::kSgd;
  sgd.lr = 0.05f;
  sgd.momentum = 0.9f;
  sgd.weight_decay = 1e-3f;
  sgd.max_grad_norm = 0.05f;  // small enough that clipping acts
  cases.push_back({"partial_batch_l1_sgd_clip", {8, 24, 5, 64, 1, 24}, 5, LossKind::kL1, sgd});
  OptimizerOptions adam_clip;
  adam_clip.max_grad_norm = 0.01f;
  adam_clip.weight_decay = 1e-2f;
  cases.push_back({"3layer_h128_mse_adam_clip", {8, 24, 5, 128, 3, 24}, 8, LossKind::kMse, adam_clip});
  // FedProx: the proximal gradient joins the loss's before clipping (which acts) and decay
  OptimizerOptions adam_prox = adam_clip;
  adam_prox.max_grad_norm = 0.5f;
  adam_prox.prox_mu = 0.3f;
  cases.push_back({"prox_2layer_mse_adam_clip", {8, 24, 5, 64, 2, 24}, 6, LossKind::kMse, adam_prox});
  OptimizerOptions sgd_prox = sgd;
  sgd_prox.max_grad_norm = 0.0f;
  sgd_prox.prox_mu = 0.1f;
  cases.push_back({"prox_odd_l1_sgd", {3, 5, 7, 33, 1, 11}, 3, LossKind::kL1, sgd_prox});
  return cases;
}

// Tolerances for what a step computes (loss, gradients, predictions) and for the parameters
// after the optimizer step, which can be further apart (see tf32_tolerances).
struct Tolerances {
  Tolerance values;
  Tolerance params;
};

// Batch sizes of the training steps: full, smaller, full, smaller, full, smaller. With
// GraphReplayPolicy steps 0 and 1 run eagerly (warm-up per batch size), 2 and 3 are captured and
// launched once, 4 and 5 replay those graphs on fresh data; a partial batch must never reuse the
// full batch's graph.
constexpr int kSteps = 6;
int batch_of_step(const Case& c, int step) { return step % 2 == 0 ? c.b : std::max(1, c.b - 2); }

// Trains both backends side by side for kSteps steps and compares everything a user can read
// back.
void expect_matches_reference(const std::string& backend, const Case& c, Tolerances tols = {}) {
  SCOPED_TRACE(backend + " / " + c.label);
  std::unique_ptr<ForecasterBackend> gpu;
  try {
    gpu = make_backend(backend, c.d);
  } catch (const InputError& e) {
    // a cuDNN algorithm that refuses the shape says so; that is a skip, not a pass
    GTEST_SKIP() << backend << " refuses " << c.label << ": " << e.what();
  }
  auto ref = make_backend("cpu_reference", c.d);
  const std::size_t P = forecaster_param_count(c.d);
  const auto layout = forecaster_layout(c.d);
  std::vector<float> params(P);
  init_forecaster_params(c.d, 2026, params.data());
  gpu->set_params(params.data());
  ref->set_params(params.data());
  if (c.opt.prox_mu > 0.0f) {
    std::vector<float> center(P);
    init_forecaster_params(c.d, 2027, center.data());
    gpu->set_prox_center(center.data());
    ref->set_prox_center(center.data());
  }
  std::cout << "[ detail   ] " << backend << ": " << backend_detail(*gpu) << "\n";
  const Tolerance tol = tols.values;

  for (int step = 0; step < kSteps; ++step) {
    const int b = batch_of_step(c, step);
    const std::size_t nx = std::size_t(b) * c.d.T * c.d.I, ny = std::size_t(b) * c.d.O;
    const auto x = random_values(nx, -1.0, 1.0, 7 + step, 1);
    const auto y = random_values(ny, -1.0, 1.0, 7 + step, 2);
    gpu->load_batch(x.data(), y.data(), b);
    ref->load_batch(x.data(), y.data(), b);

    ASSERT_TRUE(poison_gpu_outputs(*gpu));
    gpu->forward_backward(c.loss);
    ref->forward_backward(c.loss);
    const double lg = gpu->loss(), lr = ref->loss();
    EXPECT_TRUE(std::isfinite(lg));
    EXPECT_LE(std::fabs(lg - lr), tol.atol + tol.rtol * std::fabs(lr)) << "loss " << lg << " vs " << lr;

    std::vector<float> g_gpu(P, NAN), g_ref(P);
    gpu->get_grads(g_gpu.data());
    ref->get_grads(g_ref.data());
    const auto cg = compare(g_gpu, g_ref, tol, "gradients step " + std::to_string(step), &layout);
    EXPECT_TRUE(cg.ok) << cg.report;
    std::cout << "[ worst    ] " << cg.report << "\n";

    gpu->optimizer_step(c.opt);
    ref->optimizer_step(c.opt);
    std::vector<float> p_gpu(P, NAN), p_ref(P);
    gpu->get_params(p_gpu.data());
    ref->get_params(p_ref.data());
    const auto cp = compare(p_gpu, p_ref, tols.params, "parameters after step " + std::to_string(step), &layout);
    EXPECT_TRUE(cp.ok) << cp.report;
    // the stored gradient after the step: clipped, with the proximal term when there is one
    gpu->get_grads(g_gpu.data());
    ref->get_grads(g_ref.data());
    const auto cs = compare(g_gpu, g_ref, tol, "gradients after step " + std::to_string(step), &layout);
    EXPECT_TRUE(cs.ok) << cs.report;

    ASSERT_TRUE(poison_gpu_outputs(*gpu));
    std::vector<float> yh_gpu(ny, NAN), yh_ref(ny);
    gpu->predict(yh_gpu.data());
    ref->predict(yh_ref.data());
    const auto cy = compare(yh_gpu, yh_ref, tol, "predictions after step " + std::to_string(step));
    EXPECT_TRUE(cy.ok) << cy.report;
  }
}

class GpuBackend : public ::testing::TestWithParam<std::string> {};

TEST_P(GpuBackend, MatchesReferenceOnOddShapesLossesAndOptimizers) {
  SKIP_WITHOUT_GPU();
  for (const Case& c : standard_cases()) expect_matches_reference(GetParam(), c);
}

INSTANTIATE_TEST_SUITE_P(AllGpuBackends, GpuBackend,
                         ::testing::Values("cuda", "cuda_stream", "cuda_persistent", "cuda_cluster", "cuda_register",
                                           "cudnn", "cudnn_eager", "cudnn_standard", "cudnn_persist_static",
                                           "cudnn_persist_small_h"),
                         [](const auto& info) { return info.param; });

// The TF32 variants' tolerance, derived rather than fitted (never run on a GPU yet: the
// "[ worst ]" lines of the first run show how much of it is used).
// - One TF32 product: each FP32 input is rounded to 10 explicit mantissa bits (relative error
//   <= u = 2^-11 rounding to nearest, 2^-10 if truncated), products and sums stay FP32, so a
//   product term is off by <= 2 * 2^-10 ~ 2e-3 relative.
// - A K-term dot product is off by <= 2e-3 * sum|a_k b_k|. Here the terms have random signs, so
//   |sum a_k b_k| ~ sum|a_k b_k| / sqrt(K): a gradient summed over K = b T <= 192 samples can be
//   off by ~2e-3 * sqrt(192) ~ 3e-2 of itself in the worst case, ~2e-3 typically. rtol = 2e-2
//   with atol = 1e-3 for the elements that cancel to ~0: by an estimate from this test's scales
//   (inputs in [-1, 1], PyTorch-style initialisation, loss gradients ~1e-2 spread over b O
//   outputs), sum|a_k b_k| stays below ~0.5 for every GEMM element of the step, and
//   2e-3 * 0.5 = 1e-3 even if every term's error had the same sign. The recurrence is FP32 in
//   `cuda_tf32`; in `cudnn_tf32` cuDNN may use TF32 for the recurrent GEMMs too, whose errors
//   enter every step.
//   These are 200x the FP32 rtol (1e-4), and still well below what a wrong gate, a missing
//   term or a mis-indexed weight does to a gradient (an error of the gradient's own size).
// - Parameters: Adam's first updates are lr * g / (|g| + eps) = +-lr for every element, so a
//   gradient close to 0 whose sign TF32 flips moves its parameter by 2 lr per step: atol gets
//   2 lr kSteps on top. SGD moves a parameter by lr * (its gradient error) / (1 - momentum) per
//   step at most.
Tolerances tf32_tolerances(const Case& c) {
  Tolerances t;
  t.values = {2e-2, 1e-3};
  t.params = t.values;
  if (c.opt.kind == OptimizerKind::kAdam)
    t.params.atol += 2.0 * c.opt.lr * kSteps;
  else
    t.params.atol += c.opt.lr * kSteps / (1.0 - c.opt.momentum) * t.values.atol;
  return t;
}

class GpuPrecisionVariant : public ::testing::TestWithParam<std::string> {};

TEST_P(GpuPrecisionVariant, MatchesReferenceWithinTheTf32Tolerance) {
  SKIP_WITHOUT_GPU();
  for (const Case& c : standard_cases()) {
    const Tolerances t = tf32_tolerances(c);
    std::cout << "[ tol      ] " << GetParam() << " / " << c.label << ": values rtol " << t.values.rtol << " atol "
              << t.values.atol << ", parameters atol " << t.params.atol << "\n";
    expect_matches_reference(GetParam(), c, t);
  }
}

TEST_P(GpuPrecisionVariant, SaysItRunsTf32) {
  SKIP_WITHOUT_GPU();
  auto gpu = make_backend(GetParam(), {8, 24, 5, 64, 1, 24});
  const std::string detail = backend_detail(*gpu);
  std::cout << "[ detail   ] " << GetParam() << ": " << detail << "\n";
  EXPECT_NE(detail.find("tf32"), std::string::npos) << detail;
}

INSTANTIATE_TEST_SUITE_P(Tf32Variants, GpuPrecisionVariant, ::testing::Values("cuda_tf32", "cudnn_tf32"),
                         [](const auto& info) { return info.param; });

// `cudnn` replays its step as a graph or, where cuDNN refuses to be captured, says why;
// `cudnn_eager` never captures. Both say so in their detail.
TEST(GpuGraph, CudnnSaysWhetherItsStepIsAGraph) {
  SKIP_WITHOUT_GPU();
  const auto names = backend_names();
  if (std::find(names.begin(), names.end(), "cudnn") == names.end()) GTEST_SKIP() << "built without cuDNN";
  const ForecasterDims d{8, 24, 5, 64, 1, 24};
  auto graph = make_backend("cudnn", d);
  const std::string g = backend_detail(*graph);
  std::cout << "[ detail   ] cudnn: " << g << "\n";
  EXPECT_TRUE(g.find(", graph,") != std::string::npos || g.find("eager (capture refused: ") != std::string::npos ||
              g.find("eager (FEDLOAD_CUDA_GRAPH=0)") != std::string::npos)
      << g;
  auto eager = make_backend("cudnn_eager", d);
  const std::string e = backend_detail(*eager);
  std::cout << "[ detail   ] cudnn_eager: " << e << "\n";
  EXPECT_NE(e.find(", eager,"), std::string::npos) << e;
  EXPECT_EQ(e.find("graph"), std::string::npos) << e;
}

// The hand-written backends say the same: `cuda` replays a graph (or says why not),
// `cuda_stream` never captures.
TEST(GpuGraph, HandWrittenBackendsSayWhetherTheirStepIsAGraph) {
  SKIP_WITHOUT_GPU();
  const ForecasterDims d{8, 24, 5, 64, 1, 24};
  const std::string g = backend_detail(*make_backend("cuda", d));
  std::cout << "[ detail   ] cuda: " << g << "\n";
  EXPECT_TRUE(g.find("step kernels, graph,") != std::string::npos ||
              g.find("eager (capture refused: ") != std::string::npos ||
              g.find("eager (FEDLOAD_CUDA_GRAPH=0)") != std::string::npos)
      << g;
  const std::string e = backend_detail(*make_backend("cuda_stream", d));
  std::cout << "[ detail   ] cuda_stream: " << e << "\n";
  EXPECT_NE(e.find("step kernels, eager,"), std::string::npos) << e;
}

int largest_persistent_hidden() {
  const auto devs = query_devices();
  int dev = 0;
  (void)dev;
  return max_persistent_hidden(devs.at(0).sm_count, devs.at(0).smem_per_block_optin);
}

TEST(GpuPersistent, MatchesReferenceAtTheLargestHiddenSizeItAccepts) {
  SKIP_WITHOUT_GPU();
  const int H = largest_persistent_hidden();
  std::cout << "[ limit    ] persistent kernel: largest H = " << H << "\n";
  ASSERT_GT(H, 256);
  Case c{"largest_H", {3, 4, 5, H, 1, 6}, 3, LossKind::kMse, OptimizerOptions{}};
  expect_matches_reference("cuda_persistent", c);
  expect_matches_reference("cuda", c);
}

TEST(GpuPersistent, RefusesOneUnitMoreWithTheLimitInTheMessage) {
  SKIP_WITHOUT_GPU();
  const int H = largest_persistent_hidden();
  try {
    make_backend("cuda_persistent", {2, 3, 4, H + 1, 1, 2});
    FAIL() << "H=" << H + 1 << " was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("limit H=" + std::to_string(H)), std::string::npos) << e.what();
  }
}

TEST(GpuCluster, MatchesReferenceAtTheLargestClientShape) {
  SKIP_WITHOUT_GPU();
  // H = 256 with a batch of 32: the largest client shape the cluster plan takes on an H100
  Case c{"client_B32_H256", {32, 24, 5, 256, 1, 24}, 32, LossKind::kMse, OptimizerOptions{}};
  expect_matches_reference("cuda_cluster", c);
}

TEST(GpuCluster, RefusesAHiddenSizeWhoseWeightsDoNotFitWithTheReason) {
  SKIP_WITHOUT_GPU();
  try {
    make_backend("cuda_cluster", {8, 24, 5, 512, 1, 24});
    FAIL() << "H=512 was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("shared memory"), std::string::npos) << e.what();
  }
}

// cuda_register must take every shape up to H = 128 (a refusal fails here, it is not a skip) and
// run it on the slices its plan names
std::unique_ptr<ForecasterBackend> make_register_backend(const ForecasterDims& d) {
  std::unique_ptr<ForecasterBackend> gpu;
  try {
    gpu = make_backend("cuda_register", d);
  } catch (const Error& e) {
    ADD_FAILURE() << "cuda_register refused B=" << d.B << " H=" << d.H << ": " << e.what();
    return nullptr;
  }
  const auto plan = plan_register_lstm(d.H, d.B, query_devices().at(0).sm_count);
  EXPECT_TRUE(plan);
  if (plan) {
    const std::string detail = backend_detail(*gpu);
    const std::string want = std::to_string(plan->slices) + " slice(s) of " + std::to_string(plan->slice_batch) +
                             " sample(s) x " + std::to_string(plan->cluster) + " CTA(s)";
    EXPECT_NE(detail.find(want), std::string::npos) << detail << " (want " << want << ")";
  }
  return gpu;
}

void expect_register_matches_reference(const Case& c) {
  if (!make_register_backend(c.d)) return;
  expect_matches_reference("cuda_register", c);
}

TEST(GpuRegister, TakesEveryStandardCase) {
  SKIP_WITHOUT_GPU();
  for (const Case& c : standard_cases()) EXPECT_TRUE(make_register_backend(c.d)) << c.label;
}

TEST(GpuRegister, MatchesReferenceAtTheLargestHiddenSizeItTakes) {
  SKIP_WITHOUT_GPU();
  // H = 128 with a batch of 32: 32 clusters of 2 CTAs, 64 weight registers per thread
  expect_register_matches_reference({"client_B32_H128", {32, 24, 5, 128, 1, 24}, 32, LossKind::kMse, OptimizerOptions{}});
  // H = 64, the largest one-CTA bucket
  expect_register_matches_reference({"client_B32_H64", {32, 24, 5, 64, 1, 24}, 32, LossKind::kMse, OptimizerOptions{}});
}

TEST(GpuRegister, MatchesReferenceOnAnOddHiddenSizeWithTwoLayers) {
  SKIP_WITHOUT_GPU();
  // H = 33 padded to 64: 31 zero units and columns; 3 slices of one sample; a dense dh from
  // the layer above reaches layer 0
  OptimizerOptions sgd;
  sgd.kind = OptimizerKind::kSgd;
  sgd.lr = 0.05f;
  expect_register_matches_reference({"odd_B3_H33_2layer", {3, 24, 7, 33, 2, 11}, 3, LossKind::kMse, sgd});
  // H = 65 padded to 128 on a cluster of 2: the second CTA owns one real unit
  expect_register_matches_reference({"odd_B5_H65", {5, 24, 7, 65, 2, 11}, 5, LossKind::kL1, OptimizerOptions{}});
  // H = 1 in the smallest bucket
  expect_register_matches_reference({"tiny_B2_H1", {2, 24, 3, 1, 1, 4}, 2, LossKind::kMse, OptimizerOptions{}});
}

TEST(GpuRegister, MatchesReferenceAtTheBenchmarkShapeB56T168) {
  SKIP_WITHOUT_GPU();
  // 56 clusters of 2 CTAs (112 SMs on an H100) over 168 steps
  expect_register_matches_reference({"B56_T168_H128", {56, 168, 10, 128, 1, 24}, 56, LossKind::kMse, OptimizerOptions{}});
}

TEST(GpuRegister, MatchesReferenceWithSeveralSamplesPerSliceAndPartialBatches) {
  SKIP_WITHOUT_GPU();
  const int sms = query_devices().at(0).sm_count;
  // batches past one sample per SM: 2, 3 or 4 samples per slice (batch chunk 2 and 4), and past
  // 4 per SM, a second wave; built for B, loaded with fewer, so the last slice is partial
  const int two = sms + 1, three = 2 * sms + 1, many = 4 * sms + 7;
  expect_register_matches_reference({"2_per_slice_H64", {two, 12, 5, 64, 1, 6}, two, LossKind::kMse, OptimizerOptions{}});
  expect_register_matches_reference({"3_per_slice_H33_partial", {three, 12, 5, 33, 1, 6}, 7, LossKind::kL1,
                                     OptimizerOptions{}});
  expect_register_matches_reference({"waves_H128", {many, 12, 5, 128, 1, 6}, many, LossKind::kMse, OptimizerOptions{}});
  expect_register_matches_reference({"waves_H128_partial", {many, 12, 5, 128, 1, 6}, many - 5, LossKind::kMse,
                                     OptimizerOptions{}});
  // one sample per slice, partial: 37 of 56
  expect_register_matches_reference({"partial_37_of_56_H100", {56, 24, 5, 100, 1, 24}, 37, LossKind::kMse,
                                     OptimizerOptions{}});
}

TEST(GpuRegister, RefusesOneUnitMoreWithTheLimitInTheMessage) {
  SKIP_WITHOUT_GPU();
  try {
    make_backend("cuda_register", {8, 24, 5, 129, 1, 24});
    FAIL() << "H=129 was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("limit H=128"), std::string::npos) << e.what();
  }
}

TEST(GpuBackendInput, RejectsABatchLargerThanBuilt) {
  SKIP_WITHOUT_GPU();
  auto gpu = make_backend("cuda", {2, 3, 4, 8, 1, 2});
  std::vector<float> x(3 * 3 * 4, 0.5f), y(3 * 2, 0.5f);
  EXPECT_THROW(gpu->load_batch(x.data(), y.data(), 3), InputError);
}

TEST(GpuBackendInput, RefusesAProximalTermWithoutACenter) {
  SKIP_WITHOUT_GPU();
  for (const char* name : {"cuda", "cudnn"}) {
    SCOPED_TRACE(name);
    auto gpu = make_backend(name, {2, 3, 4, 8, 1, 2});
    std::vector<float> x(2 * 3 * 4, 0.5f), y(2 * 2, 0.5f), p(forecaster_param_count(gpu->dims()));
    init_forecaster_params(gpu->dims(), 1, p.data());
    gpu->set_params(p.data());
    gpu->load_batch(x.data(), y.data(), 2);
    gpu->forward_backward(LossKind::kMse);
    OptimizerOptions opt;
    opt.prox_mu = 0.1f;
    try {
      gpu->optimizer_step(opt);
      FAIL() << "prox_mu > 0 without a center was accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("set_prox_center"), std::string::npos) << e.what();
    }
    std::vector<float> after(p.size());
    gpu->get_params(after.data());
    EXPECT_EQ(after, p);  // nothing was applied
  }
}

TEST(GpuDevice, ReportsNameCapabilityAndVersions) {
  SKIP_WITHOUT_GPU();
  for (const DeviceInfo& d : query_devices()) {
    std::cout << "[ device   ] " << describe(d) << "\n";
    EXPECT_FALSE(d.name.empty());
    EXPECT_GT(d.sm_count, 0);
    EXPECT_GE(d.driver_version, 1000);
    EXPECT_GT(d.cublas_version, 0);
    EXPECT_GT(d.fp32_peak_flops(), 1e12);
  }
}

}  // namespace
}  // namespace fedload::kernels
