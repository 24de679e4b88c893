// PyTorch parity: the same weights and inputs go through fedload and through torch.nn
// (tests/unit/torch_parity.py run by the system python); outputs, losses, gradients and
// parameters after optimizer steps (FedProx's proximal term included) must agree within rtol
// 1e-4. Skips visibly when python3 or torch is missing.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include "fedload/kernels/backend.hpp"
#include "fedload/kernels/init.hpp"
#include "fedload/kernels/loss.hpp"
#include "fedload/model/layers.hpp"
#include "model_compare.hpp"
#include "support/temp_dir.hpp"

namespace fedload::test {
namespace {

namespace fs = std::filesystem;
using kernels::ForecasterDims;

using fedload::testing::TempDir;

void write_floats(const fs::path& p, const std::vector<float>& v) {
  std::ofstream f(p, std::ios::binary);
  f.write(reinterpret_cast<const char*>(v.data()), static_cast<std::streamsize>(sizeof(float) * v.size()));
}

std::vector<float> read_floats(const fs::path& p, std::size_t n) {
  std::vector<float> v(n);
  std::ifstream f(p, std::ios::binary);
  f.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(sizeof(float) * n));
  if (static_cast<std::size_t>(f.gcount()) != sizeof(float) * n) ADD_FAILURE() << p << " is shorter than " << n << " floats";
  return v;
}

// Runs torch_parity.py; returns false (after GTEST_SKIP-worthy message in why) when python or
// torch is missing.
bool run_torch(const TempDir& dir, const std::string& which, std::string& why) {
  const std::string python = FEDLOAD_SYSTEM_PYTHON;
  if (python.empty() || !fs::exists(python)) {
    why = "python3 not found (FEDLOAD_SYSTEM_PYTHON is empty)";
    return false;
  }
  const std::string cmd = python + " " + FEDLOAD_SOURCE_DIR + "/tests/unit/torch_parity.py " + dir.path().string() +
                          " " + which;
  const int rc = std::system(cmd.c_str());
  if (WIFEXITED(rc) && WEXITSTATUS(rc) == 3) {
    why = "torch is not installed for " + python;
    return false;
  }
  if (rc != 0) ADD_FAILURE() << cmd << " failed with status " << rc;
  return rc == 0;
}

struct ParityCase {
  const char* name;
  ForecasterDims d;
  kernels::OptimizerKind optimizer;
  float weight_decay, max_grad_norm;
  float prox_mu;  // > 0: FedProx term around a second random point
};

class ForecasterParity : public ::testing::TestWithParam<ParityCase> {};

TEST_P(ForecasterParity, OutputsLossGradientsAndTwoOptimizerStepsMatchTorch) {
  const auto& pc = GetParam();
  const ForecasterDims& d = pc.d;
  TempDir dir;
  std::vector<float> params(kernels::forecaster_param_count(d));
  kernels::init_forecaster_params(d, 17, params.data());
  const auto x = random_vector<float>(static_cast<std::size_t>(d.B) * d.T * d.I, 21, -2, 2);
  const auto y = random_vector<float>(static_cast<std::size_t>(d.B) * d.O, 22);
  kernels::OptimizerOptions opt;
  opt.kind = pc.optimizer;
  opt.lr = 0.01f;
  opt.momentum = 0.9f;
  opt.weight_decay = pc.weight_decay;
  opt.max_grad_norm = pc.max_grad_norm;
  opt.prox_mu = pc.prox_mu;
  std::vector<float> center(params.size());
  kernels::init_forecaster_params(d, 18, center.data());
  write_floats(dir.path() / "center.bin", center);
  write_floats(dir.path() / "params.bin", params);
  write_floats(dir.path() / "x.bin", x);
  write_floats(dir.path() / "y.bin", y);
  {
    std::ofstream meta(dir.path() / "meta.txt");
    meta << "B " << d.B << "\nT " << d.T << "\nI " << d.I << "\nH " << d.H << "\nlayers " << d.layers << "\nO "
         << d.O << "\noptimizer " << (opt.kind == kernels::OptimizerKind::kAdam ? "adam" : "sgd") << "\nlr "
         << opt.lr << "\nmomentum " << opt.momentum << "\nweight_decay " << opt.weight_decay << "\nmax_grad_norm "
         << opt.max_grad_norm << "\nprox_mu " << opt.prox_mu << "\n";
  }
  std::string why;
  if (!run_torch(dir, "forecaster", why)) {
    if (!why.empty()) GTEST_SKIP() << why;
    return;
  }

  auto backend = kernels::make_backend("cpu_reference", d);
  backend->set_params(params.data());
  if (opt.prox_mu > 0.0f) backend->set_prox_center(center.data());
  backend->load_batch(x.data(), y.data(), d.B);
  std::vector<float> yhat(y.size()), grads(params.size()), after(params.size());
  backend->predict(yhat.data());
  backend->forward_backward(kernels::LossKind::kMse);
  const double loss = backend->loss();
  backend->get_grads(grads.data());
  backend->optimizer_step(opt);
  backend->forward_backward(kernels::LossKind::kMse);
  backend->optimizer_step(opt);
  backend->get_params(after.data());

  const auto dir_path = dir.path();
  EXPECT_TRUE(all_close("yhat", yhat, read_floats(dir_path / "yhat.bin", yhat.size()), 1e-4, 1e-6));
  EXPECT_NEAR(loss, read_floats(dir_path / "loss.bin", 1)[0], 1e-4 * loss);
  // report per parameter group, so a mismatch names e.g. lstm.1.w_hh
  const auto torch_grads = read_floats(dir_path / "grads.bin", grads.size());
  const auto torch_after = read_floats(dir_path / "params_after.bin", after.size());
  for (const auto& slot : kernels::forecaster_layout(d)) {
    EXPECT_TRUE(all_close("grad " + slot.name, grads.data() + slot.offset, torch_grads.data() + slot.offset,
                          slot.size(), 1e-4, 1e-6));
    EXPECT_TRUE(all_close("params after 2 steps " + slot.name, after.data() + slot.offset,
                          torch_after.data() + slot.offset, slot.size(), 1e-4, 1e-6));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Torch, ForecasterParity,
    ::testing::Values(ParityCase{"one_layer_adam", {3, 5, 7, 9, 1, 4}, kernels::OptimizerKind::kAdam, 0.0f, 0.0f, 0.0f},
                      ParityCase{"two_layers_adam_decay_clip", {4, 6, 3, 33, 2, 5}, kernels::OptimizerKind::kAdam,
                                 0.01f, 0.05f, 0.0f},
                      ParityCase{"batch1_step1_sgd_momentum", {1, 1, 2, 5, 2, 3}, kernels::OptimizerKind::kSgd,
                                 0.001f, 0.0f, 0.0f},
                      ParityCase{"sgd_clip", {5, 8, 4, 16, 1, 24}, kernels::OptimizerKind::kSgd, 0.0f, 0.01f, 0.0f},
                      // FedProx: the proximal gradient joins the loss's before clipping and decay
                      ParityCase{"adam_prox_decay_clip", {4, 6, 3, 17, 2, 5}, kernels::OptimizerKind::kAdam, 0.01f,
                                 0.5f, 0.3f},
                      ParityCase{"sgd_momentum_prox", {3, 5, 2, 8, 1, 3}, kernels::OptimizerKind::kSgd, 0.001f, 0.0f,
                                 0.5f}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(ToolkitParity, EmbeddingConcatLinearActivationsMatchTorch) {
  const int N = 6, V = 7, D = 3, F = 4, K = 5, O = 2;
  TempDir dir;
  model::ParamStore<float> store;
  model::Embedding<float> emb(store, "emb", V, D);
  model::Sequential<float> mlp;
  mlp.add(std::make_unique<model::Linear<float>>(store, "l1", D + F, K))
      .add(std::make_unique<model::ActivationLayer<float>>(kernels::Activation::kTanh))
      .add(std::make_unique<model::Linear<float>>(store, "l2", K, K))
      .add(std::make_unique<model::ActivationLayer<float>>(kernels::Activation::kRelu))
      .add(std::make_unique<model::Linear<float>>(store, "l3", K, O))
      .add(std::make_unique<model::ActivationLayer<float>>(kernels::Activation::kSigmoid));
  store.init(3);
  const model::Tensor<float> index({N}, {0, 6, 3, 3, 1, 5});
  const model::Tensor<float> feat({N, F}, random_vector<float>(N * F, 31, -2, 2));
  const model::Tensor<float> y({N, O}, random_vector<float>(N * O, 32, 0, 1));
  write_floats(dir.path() / "params.bin", store.params());
  write_floats(dir.path() / "index.bin", index.data);
  write_floats(dir.path() / "features.bin", feat.data);
  write_floats(dir.path() / "y.bin", y.data);
  {
    std::ofstream meta(dir.path() / "meta.txt");
    meta << "N " << N << "\nV " << V << "\nD " << D << "\nF " << F << "\nK " << K << "\nO " << O << "\n";
  }
  std::string why;
  if (!run_torch(dir, "toolkit", why)) {
    if (!why.empty()) GTEST_SKIP() << why;
    return;
  }
  store.zero_grads();
  const auto yhat = mlp.forward(model::concat_last(emb.forward(index), feat));
  model::Tensor<float> dyhat(yhat.shape);
  const double loss = kernels::loss_and_grad(kernels::LossKind::kMse, yhat.size(), yhat.data.data(), y.data.data(),
                                             dyhat.data.data());
  emb.backward(model::split_last(mlp.backward(dyhat), D).first);
  EXPECT_TRUE(all_close("yhat", yhat.data, read_floats(dir.path() / "yhat.bin", yhat.size()), 1e-4, 1e-6));
  EXPECT_NEAR(loss, read_floats(dir.path() / "loss.bin", 1)[0], 1e-4 * loss);
  const auto torch_grads = read_floats(dir.path() / "grads.bin", store.size());
  for (const auto& slot : store.layout()) {
    EXPECT_TRUE(all_close("grad " + slot.name, store.grads().data() + slot.offset, torch_grads.data() + slot.offset,
                          slot.size(), 1e-4, 1e-6));
  }
}

}  // namespace
}  // namespace fedload::test
