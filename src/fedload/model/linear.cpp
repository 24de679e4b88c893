#include <cmath>

#include "fedload/core/error.hpp"
#include "fedload/model/layers.hpp"

namespace fedload::model {

template <typename S>
Linear<S>::Linear(ParamStore<S>& store, const std::string& prefix, int in, int out, bool bias)
    : store_(&store), in_(in), out_(out), bias_(bias) {
  const InitRule rule{InitRule::Kind::kUniform, 1.0 / std::sqrt(static_cast<double>(in))};
  w_ = store.add(prefix + ".w", {out, in}, rule);
  b_ = bias ? store.add(prefix + ".b", {out}, rule) : 0;
}

template <typename S>
Tensor<S> Linear<S>::forward(const Tensor<S>& x) {
  if (x.cols() != in_) throw_input_error("linear layer expects {} input features, got {}", in_, x.cols());
  x_ = x;
  auto shape = x.shape;
  shape.back() = out_;
  Tensor<S> y(shape);
  kernels::linear_forward_reference(x.rows(), in_, out_, x.data.data(), store_->param(w_),
                                    bias_ ? store_->param(b_) : nullptr, y.data.data());
  return y;
}

template <typename S>
Tensor<S> Linear<S>::backward(const Tensor<S>& dy) {
  Tensor<S> dx(x_.shape);
  kernels::linear_backward_reference(x_.rows(), in_, out_, x_.data.data(), store_->param(w_),
                                     dy.data.data(), store_->grad(w_),
                                     bias_ ? store_->grad(b_) : nullptr, dx.data.data());
  return dx;
}

template class Linear<float>;
template class Linear<double>;

}  // namespace fedload::model
