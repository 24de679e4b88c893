#include "fedload/model/hybrid_forecaster.hpp"

#include <cmath>

#include "fedload/core/error.hpp"
#include "fedload/kernels/loss.hpp"

namespace fedload::model {

namespace {

int vocabulary() {
  int v = 0;
  for (const int n : kHybridTimeVocab) v += n;
  return v;
}

constexpr int kIndices = static_cast<int>(kHybridTimeVocab.size());

}  // namespace

void check_hybrid_dims(const HybridDims& d) {
  kernels::ForecasterDims lstm = d.lstm_dims();
  if (lstm.B < 1) lstm.B = 1;  // B is not part of the layout
  kernels::check_forecaster_dims(lstm);
  if (d.numeric < 0) throw_input_error("hybrid model: numeric features must be >= 0, got {}", d.numeric);
  if (d.embed < 1) throw_input_error("hybrid model: embedding width must be >= 1, got {}", d.embed);
  if (d.fc_hidden < 1) throw_input_error("hybrid model: fully connected width must be >= 1, got {}", d.fc_hidden);
  const int channels = d.history + d.numeric + kIndices;
  if (d.base.I != channels)
    throw_input_error("hybrid model: x has {} channels per step, the model reads {} ({} history + {} numeric + {} "
                      "time indices)",
                      d.base.I, channels, d.history, d.numeric, kIndices);
}

namespace {

void check_x(const HybridDims& d, const std::vector<int>& shape) {
  if (shape.size() != 3 || shape[1] != d.base.T || shape[2] != d.base.I)
    throw_input_error("hybrid model expects x [B][{}][{}], got {} dimensions ending in {}", d.base.T, d.base.I,
                      shape.size(), shape.empty() ? 0 : shape.back());
}

}  // namespace

template <typename S>
Tensor<S> hybrid_history(const HybridDims& d, const Tensor<S>& x) {
  check_x(d, x.shape);
  const int B = x.shape[0], T = d.base.T, I = d.base.I, Sh = d.history;
  Tensor<S> h({B, T, Sh});
  for (std::size_t r = 0; r < static_cast<std::size_t>(B) * T; ++r)
    for (int i = 0; i < Sh; ++i) h.data[r * Sh + i] = x.data[r * I + i];
  return h;
}

template <typename S>
HybridFeatureBlock<S>::HybridFeatureBlock(ParamStore<S>& store, const HybridDims& dims)
    : dims_((check_hybrid_dims(dims), dims)), embed_(store, "embed", vocabulary(), dims.embed) {
  fc_.add(std::make_unique<Linear<S>>(store, "fc", dims.numeric + kIndices * dims.embed, dims.fc_hidden))
      .add(std::make_unique<ActivationLayer<S>>(kernels::Activation::kRelu));
  head_f_ = std::make_unique<Linear<S>>(store, "head_f", dims.fc_hidden, dims.base.O, /*bias=*/false);
}

template <typename S>
Tensor<S> HybridFeatureBlock<S>::forward(const Tensor<S>& x) {
  check_x(dims_, x.shape);
  const int T = dims_.base.T, I = dims_.base.I, Sh = dims_.history, N = dims_.numeric;
  b_ = x.shape[0];
  Tensor<S> numeric({b_, N}), index({b_, kIndices});
  for (int b = 0; b < b_; ++b) {
    const S* last = x.data.data() + (static_cast<std::size_t>(b) * T + T - 1) * I;
    for (int n = 0; n < N; ++n) numeric.data[static_cast<std::size_t>(b) * N + n] = last[Sh + n];
    int offset = 0;
    for (int q = 0; q < kIndices; ++q) {
      const S v = last[Sh + N + q];
      if (!(v >= 0) || v >= kHybridTimeVocab[q] || v != std::floor(v))
        throw_input_error("hybrid model: time index {} of window {} is {}, expected a whole number in [0, {})", q, b,
                          static_cast<double>(v), kHybridTimeVocab[q]);
      index.data[static_cast<std::size_t>(b) * kIndices + q] = v + S(offset);
      offset += kHybridTimeVocab[q];
    }
  }
  Tensor<S> e = embed_.forward(index);  // [b][4][E]
  e.shape = {b_, kIndices * dims_.embed};
  return head_f_->forward(fc_.forward(N > 0 ? concat_last(numeric, e) : e));
}

template <typename S>
void HybridFeatureBlock<S>::backward(const Tensor<S>& dy) {
  const Tensor<S> du = fc_.backward(head_f_->backward(dy));
  Tensor<S> de = dims_.numeric > 0 ? split_last(du, dims_.numeric).second : du;
  de.shape = {b_, kIndices, dims_.embed};
  embed_.backward(de);
}

template <typename S>
HybridForecaster<S>::HybridForecaster(const HybridDims& dims)
    : dims_((check_hybrid_dims(dims), dims)),
      lstm_(store_, "lstm", dims.history, dims.base.H, dims.base.layers, Lstm<S>::Output::kLastStep),
      head_(store_, "head", dims.base.H, dims.base.O),
      features_(store_, dims) {}

template <typename S>
Tensor<S> HybridForecaster<S>::predict(const Tensor<S>& x) {
  Tensor<S> y = head_.forward(lstm_.forward(hybrid_history(dims_, x)));
  const Tensor<S> yf = features_.forward(x);
  for (std::size_t k = 0; k < y.size(); ++k) y.data[k] += yf.data[k];
  return y;
}

template <typename S>
double HybridForecaster<S>::loss_and_grad(const Tensor<S>& x, const Tensor<S>& y, kernels::LossKind loss) {
  store_.zero_grads();
  const Tensor<S> yhat = predict(x);
  if (yhat.size() != y.size())
    throw_input_error("targets hold {} values, the forecaster predicts {}", y.size(), yhat.size());
  Tensor<S> dyhat(yhat.shape);
  const double l = kernels::loss_and_grad(loss, yhat.size(), yhat.data.data(), y.data.data(), dyhat.data.data());
  lstm_.backward(head_.backward(dyhat));
  features_.backward(dyhat);
  return l;
}

template Tensor<float> hybrid_history(const HybridDims&, const Tensor<float>&);
template Tensor<double> hybrid_history(const HybridDims&, const Tensor<double>&);
template class HybridFeatureBlock<float>;
template class HybridFeatureBlock<double>;
template class HybridForecaster<float>;
template class HybridForecaster<double>;

}  // namespace fedload::model
