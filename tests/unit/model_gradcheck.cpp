// Gradient checks in double: every analytic gradient of the reference kernels and of the
// toolkit's layers against central finite differences, at odd shapes (B=1, T=1, H=1, I=7,
// H=33, stacked layers). The scalar loss is a fixed random projection of the outputs, so every
// output element carries a distinct weight.
#include <gtest/gtest.h>

#include <functional>
#include <vector>

#include <fmt/format.h>

#include "fedload/kernels/loss.hpp"
#include "fedload/kernels/reference.hpp"
#include "fedload/model/forecaster.hpp"
#include "fedload/model/layers.hpp"
#include "model_compare.hpp"

namespace fedload::test {
namespace {

using kernels::Activation;
using kernels::LstmDims;
using model::Tensor;

// Central differences of loss() with respect to every element of v, compared with analytic.
void expect_gradient(const std::string& what, std::vector<double>& v, const std::vector<double>& analytic,
                     const std::function<double()>& loss) {
  ASSERT_EQ(v.size(), analytic.size()) << what;
  const double eps = 1e-6;
  std::vector<double> numeric(v.size());
  for (std::size_t k = 0; k < v.size(); ++k) {
    const double saved = v[k];
    v[k] = saved + eps;
    const double up = loss();
    v[k] = saved - eps;
    const double down = loss();
    v[k] = saved;
    numeric[k] = (up - down) / (2 * eps);
  }
  EXPECT_TRUE(all_close(what, analytic, numeric, 1e-5, 1e-7));
}

double dot(const std::vector<double>& a, const double* b) {
  double s = 0;
  for (std::size_t k = 0; k < a.size(); ++k) s += a[k] * b[k];
  return s;
}

struct LstmCase {
  int B, T, I, H;
};

class LstmKernelGrad : public ::testing::TestWithParam<LstmCase> {};

// L = <wh, h_seq> + <wc, c_{T-1}>: dh_seq = wh, dc_last = wc, with non-zero h0 and c0, so every
// input of lstm_backward_reference is exercised.
TEST_P(LstmKernelGrad, MatchesFiniteDifferences) {
  const auto [B, T, I, H] = GetParam();
  const LstmDims d{B, T, I, H};
  const std::size_t G = 4 * static_cast<std::size_t>(H);
  auto x = random_vector<double>(static_cast<std::size_t>(B) * T * I, 1);
  auto w_ih = random_vector<double>(G * I, 2, -0.6, 0.6);
  auto w_hh = random_vector<double>(G * H, 3, -0.6, 0.6);
  auto b_ih = random_vector<double>(G, 4, -0.5, 0.5);
  auto b_hh = random_vector<double>(G, 5, -0.5, 0.5);
  auto h0 = random_vector<double>(static_cast<std::size_t>(B) * H, 6);
  auto c0 = random_vector<double>(static_cast<std::size_t>(B) * H, 7);
  const auto wh = random_vector<double>(static_cast<std::size_t>(B) * T * H, 8);
  const auto wc = random_vector<double>(static_cast<std::size_t>(B) * H, 9);
  const std::size_t bth = static_cast<std::size_t>(B) * T * H;
  std::vector<double> h(bth), c(bth), gates(4 * bth);

  auto forward = [&] {
    kernels::lstm_forward_reference<double>(d, x.data(), {w_ih.data(), w_hh.data(), b_ih.data(), b_hh.data()},
                                            h0.data(), c0.data(), h.data(), c.data(), gates.data());
  };
  auto loss = [&] {
    forward();
    double l = dot(wh, h.data());
    for (int b = 0; b < B; ++b) {
      for (int j = 0; j < H; ++j) {
        l += wc[static_cast<std::size_t>(b) * H + j] * c[(static_cast<std::size_t>(b) * T + T - 1) * H + j];
      }
    }
    return l;
  };

  forward();
  std::vector<double> gw_ih(w_ih.size()), gw_hh(w_hh.size()), gb_ih(G), gb_hh(G);
  std::vector<double> dx(x.size()), dh0(h0.size()), dc0(c0.size());
  kernels::lstm_backward_reference<double>(d, x.data(), {w_ih.data(), w_hh.data(), b_ih.data(), b_hh.data()},
                                           h0.data(), c0.data(), h.data(), c.data(), gates.data(), wh.data(),
                                           wc.data(), {gw_ih.data(), gw_hh.data(), gb_ih.data(), gb_hh.data()},
                                           dx.data(), dh0.data(), dc0.data());
  expect_gradient("d w_ih", w_ih, gw_ih, loss);
  expect_gradient("d w_hh", w_hh, gw_hh, loss);
  expect_gradient("d b_ih", b_ih, gb_ih, loss);
  expect_gradient("d b_hh", b_hh, gb_hh, loss);
  expect_gradient("d x", x, dx, loss);
  expect_gradient("d h0", h0, dh0, loss);
  expect_gradient("d c0", c0, dc0, loss);
}

INSTANTIATE_TEST_SUITE_P(OddShapes, LstmKernelGrad,
                         ::testing::Values(LstmCase{1, 1, 1, 1}, LstmCase{1, 5, 7, 1}, LstmCase{2, 3, 7, 5},
                                           LstmCase{3, 1, 2, 33}, LstmCase{2, 4, 3, 33}),
                         [](const auto& info) {
                           const auto& p = info.param;
                           return fmt::format("B{}_T{}_I{}_H{}", p.B, p.T, p.I, p.H);
                         });

TEST(LstmKernelGrad, AccumulatesIntoParameterGradients) {
  // calling backward twice doubles the parameter gradients: they are += by contract
  const LstmDims d{2, 3, 2, 3};
  auto x = random_vector<double>(12, 1);
  auto w_ih = random_vector<double>(24, 2), w_hh = random_vector<double>(36, 3);
  auto b_ih = random_vector<double>(12, 4), b_hh = random_vector<double>(12, 5);
  const auto dh = random_vector<double>(18, 6);
  std::vector<double> h(18), c(18), gates(72), g1(24), g2(36), g3(12), g4(12);
  kernels::lstm_forward_reference<double>(d, x.data(), {w_ih.data(), w_hh.data(), b_ih.data(), b_hh.data()},
                                          nullptr, nullptr, h.data(), c.data(), gates.data());
  auto run = [&] {
    kernels::lstm_backward_reference<double>(d, x.data(), {w_ih.data(), w_hh.data(), b_ih.data(), b_hh.data()},
                                             nullptr, nullptr, h.data(), c.data(), gates.data(), dh.data(), nullptr,
                                             {g1.data(), g2.data(), g3.data(), g4.data()}, nullptr, nullptr, nullptr);
  };
  run();
  const auto once = g2;
  run();
  for (std::size_t k = 0; k < once.size(); ++k) EXPECT_DOUBLE_EQ(g2[k], 2 * once[k]);
}

// Toolkit layers: L = <w, layer(x)> over one ParamStore; checks every parameter group and dx.
void expect_layer_gradients(const std::string& what, model::ParamStore<double>& store, model::Layer<double>& layer,
                            Tensor<double> x, bool check_dx = true) {
  store.init(11);
  const Tensor<double> y0 = layer.forward(x);
  const auto w = random_vector<double>(y0.size(), 12);
  auto loss = [&] { return dot(w, layer.forward(x).data.data()); };
  store.zero_grads();
  layer.forward(x);
  const Tensor<double> dx = layer.backward(Tensor<double>(y0.shape, w));
  const std::vector<double> grads = store.grads();
  for (std::size_t s = 0; s < store.layout().size(); ++s) {
    const auto& slot = store.layout()[s];
    std::vector<double> v(store.param(s), store.param(s) + slot.size());
    std::vector<double> g(grads.begin() + static_cast<std::ptrdiff_t>(slot.offset),
                          grads.begin() + static_cast<std::ptrdiff_t>(slot.offset + slot.size()));
    auto loss_at = [&] {
      std::copy(v.begin(), v.end(), store.param(s));
      return loss();
    };
    expect_gradient(what + " d " + slot.name, v, g, loss_at);
    std::copy(v.begin(), v.end(), store.param(s));
  }
  if (check_dx) expect_gradient(what + " d x", x.data, dx.data, loss);
}

TEST(ToolkitGrad, Linear) {
  model::ParamStore<double> store;
  model::Linear<double> layer(store, "fc", 7, 3);
  expect_layer_gradients("linear", store, layer, Tensor<double>({2, 5, 7}, random_vector<double>(70, 1)));
}

TEST(ToolkitGrad, Activations) {
  for (auto a : {Activation::kRelu, Activation::kTanh, Activation::kSigmoid}) {
    model::ParamStore<double> store;
    model::ActivationLayer<double> layer(a);
    // relu's kink at 0 is avoided: uniform values are never within eps of 0 here
    expect_layer_gradients("activation " + std::to_string(static_cast<int>(a)), store, layer,
                           Tensor<double>({3, 4}, random_vector<double>(12, 2, -2, 2)));
  }
}

TEST(ToolkitGrad, EmbeddingConcatMlp) {
  // embedding rows and features concatenated, then Linear -> tanh -> Linear -> sigmoid
  model::ParamStore<double> store;
  model::Embedding<double> emb(store, "emb", 5, 3);
  model::Sequential<double> mlp;
  mlp.add(std::make_unique<model::Linear<double>>(store, "l1", 5, 4))
      .add(std::make_unique<model::ActivationLayer<double>>(Activation::kTanh))
      .add(std::make_unique<model::Linear<double>>(store, "l2", 4, 2))
      .add(std::make_unique<model::ActivationLayer<double>>(Activation::kSigmoid));
  struct Net final : model::Layer<double> {
    model::Embedding<double>* emb;
    model::Sequential<double>* mlp;
    Tensor<double> idx;
    Tensor<double> forward(const Tensor<double>& feat) override {
      return mlp->forward(model::concat_last(emb->forward(idx), feat));
    }
    Tensor<double> backward(const Tensor<double>& dy) override {
      auto [demb, dfeat] = model::split_last(mlp->backward(dy), 3);
      emb->backward(demb);
      return dfeat;
    }
  } net;
  net.emb = &emb;
  net.mlp = &mlp;
  net.idx = Tensor<double>({6}, {0, 4, 2, 2, 1, 4});  // repeated rows accumulate
  expect_layer_gradients("embedding+concat+mlp", store, net, Tensor<double>({6, 2}, random_vector<double>(12, 3)));
}

TEST(ToolkitGrad, LstmSequenceOutputTwoLayers) {
  model::ParamStore<double> store;
  model::Lstm<double> lstm(store, "lstm", 7, 5, 2, model::Lstm<double>::Output::kSequence);
  expect_layer_gradients("lstm seq", store, lstm, Tensor<double>({2, 3, 7}, random_vector<double>(42, 4)));
}

TEST(ToolkitGrad, ForecasterTwoLayersMseAndL1) {
  for (auto loss_kind : {kernels::LossKind::kMse, kernels::LossKind::kL1}) {
    model::Forecaster<double> f({0, 4, 3, 6, 2, 5});
    f.init(3);
    const Tensor<double> x({2, 4, 3}, random_vector<double>(24, 5));
    const Tensor<double> y({2, 5}, random_vector<double>(10, 6));
    f.loss_and_grad(x, y, loss_kind);
    const auto grads = f.grads();
    auto& p = f.params();
    auto loss = [&] {
      Tensor<double> yhat = f.predict(x);
      return kernels::loss_and_grad<double>(loss_kind, yhat.size(), yhat.data.data(), y.data.data(), nullptr);
    };
    expect_gradient(loss_kind == kernels::LossKind::kMse ? "forecaster mse" : "forecaster l1", p, grads, loss);
  }
}

}  // namespace
}  // namespace fedload::test
