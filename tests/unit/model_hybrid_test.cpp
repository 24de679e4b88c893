// The hybrid forecaster (model/hybrid_forecaster.hpp): its gradients in double against central
// finite differences, its layout and initialization against the default forecaster's (the
// LSTM path is that forecaster), its backend ("cpu" and "cpu_reference" engines) against the
// toolkit model in float, and time indices out of their vocabulary refused.
#include <gtest/gtest.h>

#include <vector>

#include "fedload/core/error.hpp"
#include "fedload/kernels/init.hpp"
#include "fedload/kernels/loss.hpp"
#include "fedload/model/hybrid_backend.hpp"
#include "fedload/model/hybrid_forecaster.hpp"
#include "model_compare.hpp"

namespace fedload::test {
namespace {

using model::HybridDims;
using model::Tensor;

// B 3, T 4, history 2, numeric 3, E 2, F 5, H 3, two layers, O 2: I = 2 + 3 + 4 = 9
HybridDims small_dims() {
  HybridDims d;
  d.base = {3, 4, 9, 3, 2, 2};
  d.history = 2;
  d.numeric = 3;
  d.embed = 2;
  d.fc_hidden = 5;
  return d;
}

// random history and numeric channels; whole-number time indices in range on every step
template <typename S>
Tensor<S> random_x(const HybridDims& d, int B, std::uint64_t seed) {
  const int T = d.base.T, I = d.base.I;
  Tensor<S> x({B, T, I}, random_vector<S>(static_cast<std::size_t>(B) * T * I, seed));
  CounterRng rng(seed, 99);
  for (std::size_t r = 0; r < static_cast<std::size_t>(B) * T; ++r)
    for (int q = 0; q < 4; ++q)
      x.data[r * I + d.history + d.numeric + q] = static_cast<S>(rng.below(model::kHybridTimeVocab[q]));
  return x;
}

TEST(HybridForecaster, GradientsMatchFiniteDifferencesInDouble) {
  for (const auto loss : {kernels::LossKind::kMse, kernels::LossKind::kL1}) {
    const HybridDims d = small_dims();
    model::HybridForecaster<double> f(d);
    f.init(7);
    const Tensor<double> x = random_x<double>(d, 3, 1);
    const Tensor<double> y({3, 2}, random_vector<double>(6, 2));
    f.loss_and_grad(x, y, loss);
    const std::vector<double> analytic = f.grads();
    std::vector<double>& p = f.params();
    std::vector<double> numeric(p.size());
    const double eps = 1e-6;
    for (std::size_t k = 0; k < p.size(); ++k) {
      const double saved = p[k];
      p[k] = saved + eps;
      const double up = f.loss_and_grad(x, y, loss);
      p[k] = saved - eps;
      const double down = f.loss_and_grad(x, y, loss);
      p[k] = saved;
      numeric[k] = (up - down) / (2 * eps);
    }
    EXPECT_TRUE(all_close(loss == kernels::LossKind::kMse ? "mse" : "l1", analytic, numeric, 1e-5, 1e-7));
    // every group of the model gets a gradient (none is left out of the backward pass)
    for (const auto& slot : f.layout()) {
      double norm = 0;
      for (std::size_t k = 0; k < slot.size(); ++k) norm += std::abs(analytic[slot.offset + k]);
      EXPECT_GT(norm, 0.0) << slot.name;
    }
  }
}

TEST(HybridForecaster, LayoutBeginsWithTheDefaultForecasterAndInitializesLikeIt) {
  const HybridDims d = small_dims();
  model::HybridForecaster<float> f(d);
  f.init(42);
  const auto base = kernels::forecaster_layout(d.lstm_dims());
  std::vector<float> base_init(kernels::forecaster_param_count(d.lstm_dims()));
  kernels::init_forecaster_params(d.lstm_dims(), 42, base_init.data());
  ASSERT_GT(f.layout().size(), base.size());
  for (std::size_t s = 0; s < base.size(); ++s) {
    EXPECT_EQ(f.layout()[s].name, base[s].name);
    EXPECT_EQ(f.layout()[s].offset, base[s].offset);
  }
  EXPECT_TRUE(std::equal(base_init.begin(), base_init.end(), f.params().begin()));
  std::vector<std::string> rest;
  for (std::size_t s = base.size(); s < f.layout().size(); ++s) rest.push_back(f.layout()[s].name);
  EXPECT_EQ(rest, (std::vector<std::string>{"embed.weight", "fc.w", "fc.b", "head_f.w"}));
  EXPECT_EQ(f.layout()[base.size()].shape, (std::vector<int>{45, 2}));
}

TEST(HybridBackend, MatchesTheToolkitModelOnEitherEngine) {
  const HybridDims d = small_dims();
  model::HybridForecaster<float> ref(d);
  ref.init(5);
  const Tensor<float> x = random_x<float>(d, 3, 11);
  const Tensor<float> y({3, 2}, random_vector<float>(6, 12));
  const double ref_loss = ref.loss_and_grad(x, y, kernels::LossKind::kMse);
  const std::vector<float> ref_grads = ref.grads();
  const Tensor<float> ref_yhat = ref.predict(x);
  for (const char* engine : {"cpu", "cpu_reference"}) {
    model::HybridBackend be(d, engine);
    ASSERT_EQ(be.param_count(), ref.params().size()) << engine;
    be.set_params(ref.params().data());
    be.load_batch(x.data.data(), y.data.data(), 3);
    be.forward_backward(kernels::LossKind::kMse);
    EXPECT_NEAR(be.loss(), ref_loss, 1e-5 * ref_loss) << engine;
    std::vector<float> grads(be.param_count()), yhat(6);
    be.get_grads(grads.data());
    EXPECT_TRUE(all_close(std::string(engine) + " grads", grads, ref_grads, 1e-4, 1e-6));
    be.predict(yhat.data());
    EXPECT_TRUE(all_close(std::string(engine) + " forecast", yhat, ref_yhat.data, 1e-5, 1e-6));
    EXPECT_EQ(be.name(), std::string(engine) + "_hybrid");
  }
}

TEST(HybridForecaster, RefusesATimeIndexOutsideItsVocabularyAndAWrongChannelCount) {
  const HybridDims d = small_dims();
  model::HybridForecaster<float> f(d);
  f.init(1);
  Tensor<float> x = random_x<float>(d, 1, 3);
  x.data[(d.base.T - 1) * d.base.I + d.history + d.numeric + 2] = 12.0f;  // month 12 of [0, 12)
  EXPECT_THROW(f.predict(x), InputError);
  HybridDims wrong = d;
  wrong.base.I = 8;
  EXPECT_THROW(model::HybridForecaster<float>{wrong}, InputError);
}

}  // namespace
}  // namespace fedload::test
