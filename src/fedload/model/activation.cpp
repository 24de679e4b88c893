#include "fedload/model/layers.hpp"

namespace fedload::model {

template <typename S>
Tensor<S> ActivationLayer<S>::forward(const Tensor<S>& x) {
  y_ = Tensor<S>(x.shape);
  kernels::activation_forward_reference(a_, x.size(), x.data.data(), y_.data.data());
  return y_;
}

template <typename S>
Tensor<S> ActivationLayer<S>::backward(const Tensor<S>& dy) {
  Tensor<S> dx(dy.shape);
  kernels::activation_backward_reference(a_, dy.size(), y_.data.data(), dy.data.data(), dx.data.data());
  return dx;
}

template class ActivationLayer<float>;
template class ActivationLayer<double>;

}  // namespace fedload::model
