#include "fedload/model/forecaster.hpp"

#include "fedload/core/error.hpp"
#include "fedload/kernels/loss.hpp"

namespace fedload::model {

template <typename S>
Forecaster<S>::Forecaster(const kernels::ForecasterDims& dims) : dims_(dims) {
  kernels::forecaster_layout(dims);  // validates the dimensions
  net_.add(std::make_unique<Lstm<S>>(store_, "lstm", dims.I, dims.H, dims.layers, Lstm<S>::Output::kLastStep));
  net_.add(std::make_unique<Linear<S>>(store_, "head", dims.H, dims.O));
}

template <typename S>
double Forecaster<S>::loss_and_grad(const Tensor<S>& x, const Tensor<S>& y, kernels::LossKind loss) {
  store_.zero_grads();
  const Tensor<S> yhat = net_.forward(x);
  if (yhat.size() != y.size()) {
    throw_input_error("targets hold {} values, the forecaster predicts {}", y.size(), yhat.size());
  }
  Tensor<S> dyhat(yhat.shape);
  const double l = kernels::loss_and_grad(loss, yhat.size(), yhat.data.data(), y.data.data(), dyhat.data.data());
  net_.backward(dyhat);
  return l;
}

template class Forecaster<float>;
template class Forecaster<double>;

}  // namespace fedload::model
