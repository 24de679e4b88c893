#include <cmath>

#include "fedload/core/error.hpp"
#include "fedload/model/layers.hpp"

namespace fedload::model {

template <typename S>
Embedding<S>::Embedding(ParamStore<S>& store, const std::string& prefix, int V, int D)
    : store_(&store), V_(V), D_(D) {
  w_ = store.add(prefix + ".weight", {V, D}, InitRule{InitRule::Kind::kNormal, 1.0});
}

template <typename S>
Tensor<S> Embedding<S>::forward(const Tensor<S>& x) {
  in_shape_ = x.shape;
  index_.resize(x.size());
  for (std::size_t k = 0; k < x.size(); ++k) {
    const S v = x.data[k];
    // indices travel as scalars; anything not a whole number is a caller's mistake
    if (v != std::floor(v)) throw_input_error("embedding index {} is not a whole number", static_cast<double>(v));
    index_[k] = static_cast<int>(v);
  }
  auto shape = x.shape;
  shape.push_back(D_);
  Tensor<S> y(shape);
  kernels::embedding_forward_reference(static_cast<int>(index_.size()), V_, D_, index_.data(),
                                       store_->param(w_), y.data.data());
  return y;
}

template <typename S>
Tensor<S> Embedding<S>::backward(const Tensor<S>& dy) {
  kernels::embedding_backward_reference(static_cast<int>(index_.size()), V_, D_, index_.data(),
                                        dy.data.data(), store_->grad(w_));
  return {};
}

template class Embedding<float>;
template class Embedding<double>;

}  // namespace fedload::model
