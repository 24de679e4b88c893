// Stacked LSTM layer over the reference kernels: layer l's h_seq is layer l+1's input.
#include <cmath>
#include <cstring>

#include "fedload/core/error.hpp"
#include "fedload/model/layers.hpp"

namespace fedload::model {

template <typename S>
Lstm<S>::Lstm(ParamStore<S>& store, const std::string& prefix, int I, int H, int layers, Output output)
    : store_(&store), I_(I), H_(H), layers_(layers), output_(output) {
  if (I < 1 || H < 1 || layers < 1) throw_input_error("lstm needs I, H, layers >= 1 (got {}, {}, {})", I, H, layers);
  const InitRule rule{InitRule::Kind::kUniform, 1.0 / std::sqrt(static_cast<double>(H))};
  for (int l = 0; l < layers; ++l) {
    const std::string p = prefix + "." + std::to_string(l) + ".";
    slot0_.push_back(store.add(p + "w_ih", {4 * H, l == 0 ? I : H}, rule));
    store.add(p + "w_hh", {4 * H, H}, rule);
    // forget-gate bias +1 (see layers.hpp)
    store.add(p + "b_ih", {4 * H}, rule, [H](S* b) {
      for (int j = H; j < 2 * H; ++j) b[j] += S(1);
    });
    store.add(p + "b_hh", {4 * H}, rule);
  }
}

template <typename S>
kernels::LstmParams<S> Lstm<S>::params(int l) const {
  const std::size_t s = slot0_[l];
  const ParamStore<S>& st = *store_;
  return {st.param(s), st.param(s + 1), st.param(s + 2), st.param(s + 3)};
}

template <typename S>
Tensor<S> Lstm<S>::forward(const Tensor<S>& x) {
  if (x.shape.size() != 3 || x.shape[2] != I_) {
    throw_input_error("lstm expects input [B][T][{}], got {} dimensions ending in {}", I_, x.shape.size(), x.cols());
  }
  B_ = x.shape[0];
  T_ = x.shape[1];
  x_ = x;
  const std::size_t bth = static_cast<std::size_t>(B_) * T_ * H_;
  h_.assign(layers_, std::vector<S>(bth));
  c_.assign(layers_, std::vector<S>(bth));
  gates_.assign(layers_, std::vector<S>(4 * bth));
  for (int l = 0; l < layers_; ++l) {
    const S* in = l == 0 ? x.data.data() : h_[l - 1].data();
    kernels::lstm_forward_reference<S>({B_, T_, l == 0 ? I_ : H_, H_}, in, params(l), nullptr, nullptr,
                                       h_[l].data(), c_[l].data(), gates_[l].data());
  }
  if (output_ == Output::kSequence) return Tensor<S>({B_, T_, H_}, h_.back());
  Tensor<S> y({B_, H_});
  for (int b = 0; b < B_; ++b) {
    std::memcpy(y.data.data() + static_cast<std::size_t>(b) * H_,
                h_.back().data() + (static_cast<std::size_t>(b) * T_ + T_ - 1) * H_, sizeof(S) * H_);
  }
  return y;
}

template <typename S>
Tensor<S> Lstm<S>::backward(const Tensor<S>& dy) {
  const std::size_t bth = static_cast<std::size_t>(B_) * T_ * H_;
  std::vector<S> dh(bth, S(0));
  if (output_ == Output::kSequence) {
    dh = dy.data;
  } else {
    // only h_{T-1} was read; earlier steps get their gradient through the recurrence
    for (int b = 0; b < B_; ++b) {
      std::memcpy(dh.data() + (static_cast<std::size_t>(b) * T_ + T_ - 1) * H_,
                  dy.data.data() + static_cast<std::size_t>(b) * H_, sizeof(S) * H_);
    }
  }
  Tensor<S> dx({B_, T_, I_});
  for (int l = layers_ - 1; l >= 0; --l) {
    const std::size_t s = slot0_[l];
    kernels::LstmParamGrads<S> g{store_->grad(s), store_->grad(s + 1), store_->grad(s + 2), store_->grad(s + 3)};
    const S* in = l == 0 ? x_.data.data() : h_[l - 1].data();
    std::vector<S> din(l == 0 ? 0 : bth);
    S* dinp = l == 0 ? dx.data.data() : din.data();
    kernels::lstm_backward_reference<S>({B_, T_, l == 0 ? I_ : H_, H_}, in, params(l), nullptr, nullptr,
                                        h_[l].data(), c_[l].data(), gates_[l].data(), dh.data(), nullptr, g,
                                        dinp, nullptr, nullptr);
    if (l > 0) dh = std::move(din);
  }
  return dx;
}

template class Lstm<float>;
template class Lstm<double>;

}  // namespace fedload::model
