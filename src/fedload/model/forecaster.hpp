#pragma once
// The default forecaster composed from the toolkit: stacked LSTM (hidden H, `layers`) -> Linear
// head from the last hidden state to the horizon O. Its flat layout equals
// kernels::forecaster_layout(dims) (PyTorch's state_dict order) and init(seed) gives the values
// of kernels::init_forecaster_params, so a model built here and a backend agree bit for bit.
#include <cstdint>
#include <vector>

#include "fedload/kernels/backend.hpp"
#include "fedload/model/layers.hpp"

namespace fedload::model {

template <typename S>
class Forecaster {
 public:
  // dims.B is not used (any batch size works).
  explicit Forecaster(const kernels::ForecasterDims& dims);
  Forecaster(const Forecaster&) = delete;
  Forecaster& operator=(const Forecaster&) = delete;

  void init(std::uint64_t seed) { store_.init(seed); }
  // x [b][T][I] -> yhat [b][O]
  Tensor<S> predict(const Tensor<S>& x) { return net_.forward(x); }
  // Forward, loss (mean over b*O), backward; gradients OVERWRITE grads(). Returns the loss.
  double loss_and_grad(const Tensor<S>& x, const Tensor<S>& y, kernels::LossKind loss);

  const kernels::ForecasterDims& dims() const { return dims_; }
  ParamStore<S>& store() { return store_; }
  std::vector<S>& params() { return store_.params(); }
  std::vector<S>& grads() { return store_.grads(); }
  const std::vector<ParamSlot>& layout() const { return store_.layout(); }

 private:
  kernels::ForecasterDims dims_;
  ParamStore<S> store_;
  Sequential<S> net_;
};

}  // namespace fedload::model
