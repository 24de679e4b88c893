#pragma once
// The layer toolkit: small layers over one ParamStore, composed into forecasters (the default
// LSTM forecaster, later the hybrid forecaster, the QEEN auto-encoder, SAC networks). Every
// layer is templated on the scalar so gradient checks run in double; the arithmetic is the
// reference kernels' (kernels/reference.hpp).
//
// Protocol: forward(x) caches what backward needs and returns y; backward(dy) ACCUMULATES the
// parameter gradients into the store's gradient buffer (call store.zero_grads() first) and
// returns dL/dx (empty for an Embedding, whose inputs are indices). One forward, one backward.
#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "fedload/kernels/reference.hpp"
#include "fedload/model/param_store.hpp"
#include "fedload/model/tensor.hpp"

namespace fedload::model {

template <typename S>
class Layer {
 public:
  virtual ~Layer() = default;
  virtual Tensor<S> forward(const Tensor<S>& x) = 0;
  virtual Tensor<S> backward(const Tensor<S>& dy) = 0;
};

// y [..][out] = x [..][in] W^T + b. Groups "<prefix>.w" [out][in], "<prefix>.b" [out], both
// initialized uniform(-1/sqrt(in), 1/sqrt(in)) like nn.Linear.
template <typename S>
class Linear final : public Layer<S> {
 public:
  Linear(ParamStore<S>& store, const std::string& prefix, int in, int out, bool bias = true);
  Tensor<S> forward(const Tensor<S>& x) override;
  Tensor<S> backward(const Tensor<S>& dy) override;

 private:
  ParamStore<S>* store_;
  int in_, out_;
  std::size_t w_, b_;
  bool bias_;
  Tensor<S> x_;
};

// y [..][D] = table[x [..]]; x holds row indices in [0, V) stored as scalars. Group
// "<prefix>.weight" [V][D], initialized N(0, 1) like nn.Embedding.
template <typename S>
class Embedding final : public Layer<S> {
 public:
  Embedding(ParamStore<S>& store, const std::string& prefix, int V, int D);
  Tensor<S> forward(const Tensor<S>& x) override;
  Tensor<S> backward(const Tensor<S>& dy) override;

 private:
  ParamStore<S>* store_;
  int V_, D_;
  std::size_t w_;
  std::vector<int> index_;
  std::vector<int> in_shape_;
};

// Elementwise ReLU, tanh or sigmoid; no parameters.
template <typename S>
class ActivationLayer final : public Layer<S> {
 public:
  explicit ActivationLayer(kernels::Activation a) : a_(a) {}
  Tensor<S> forward(const Tensor<S>& x) override;
  Tensor<S> backward(const Tensor<S>& dy) override;

 private:
  kernels::Activation a_;
  Tensor<S> y_;
};

// Stacked LSTM over x [B][T][I], zero initial state, gate order i, f, g, o and the equations of
// kernels/lstm.hpp. Output: the top layer's h_seq [B][T][H] (kSequence) or its last hidden
// state h_{T-1} [B][H] (kLastStep). Groups per layer l, in PyTorch's state_dict order:
// "<prefix>.l.w_ih" [4H][I_l], ".w_hh" [4H][H], ".b_ih" [4H], ".b_hh" [4H], all uniform
// (-1/sqrt(H), 1/sqrt(H)) like nn.LSTM, then +1 on the forget slice [H, 2H) of b_ih so cells
// keep their state early in training (b_hh's forget slice is left as drawn).
template <typename S>
class Lstm final : public Layer<S> {
 public:
  enum class Output { kSequence, kLastStep };
  Lstm(ParamStore<S>& store, const std::string& prefix, int I, int H, int layers, Output output);
  Tensor<S> forward(const Tensor<S>& x) override;
  Tensor<S> backward(const Tensor<S>& dy) override;

 private:
  kernels::LstmParams<S> params(int l) const;
  ParamStore<S>* store_;
  int I_, H_, layers_;
  Output output_;
  std::vector<std::size_t> slot0_;  // first slot (w_ih) of each layer
  int B_ = 0, T_ = 0;
  Tensor<S> x_;
  std::vector<std::vector<S>> h_, c_, gates_;
};

// Layers applied in order; backward runs them in reverse.
template <typename S>
class Sequential final : public Layer<S> {
 public:
  Sequential& add(std::unique_ptr<Layer<S>> layer) {
    layers_.push_back(std::move(layer));
    return *this;
  }
  Tensor<S> forward(const Tensor<S>& x) override;
  Tensor<S> backward(const Tensor<S>& dy) override;

 private:
  std::vector<std::unique_ptr<Layer<S>>> layers_;
};

// Concatenation along the last dimension: a [..][Fa], b [..][Fb] with equal leading shapes ->
// [..][Fa + Fb]; split_last is its backward (the gradient's two parts).
template <typename S>
Tensor<S> concat_last(const Tensor<S>& a, const Tensor<S>& b);
template <typename S>
std::pair<Tensor<S>, Tensor<S>> split_last(const Tensor<S>& dy, int cols_a);

}  // namespace fedload::model
