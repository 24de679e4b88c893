#include <algorithm>

#include "fedload/core/error.hpp"
#include "fedload/model/layers.hpp"

namespace fedload::model {

template <typename S>
Tensor<S> Sequential<S>::forward(const Tensor<S>& x) {
  Tensor<S> y = x;
  for (auto& layer : layers_) y = layer->forward(y);
  return y;
}

template <typename S>
Tensor<S> Sequential<S>::backward(const Tensor<S>& dy) {
  Tensor<S> d = dy;
  for (auto it = layers_.rbegin(); it != layers_.rend(); ++it) d = (*it)->backward(d);
  return d;
}

template <typename S>
Tensor<S> concat_last(const Tensor<S>& a, const Tensor<S>& b) {
  if (a.rows() != b.rows()) throw_input_error("concatenation of {} rows with {} rows", a.rows(), b.rows());
  const int fa = a.cols(), fb = b.cols();
  auto shape = a.shape;
  shape.back() = fa + fb;
  Tensor<S> y(shape);
  for (int r = 0; r < a.rows(); ++r) {
    std::copy_n(a.data.begin() + static_cast<std::ptrdiff_t>(r) * fa, fa, y.data.begin() + static_cast<std::ptrdiff_t>(r) * (fa + fb));
    std::copy_n(b.data.begin() + static_cast<std::ptrdiff_t>(r) * fb, fb, y.data.begin() + static_cast<std::ptrdiff_t>(r) * (fa + fb) + fa);
  }
  return y;
}

template <typename S>
std::pair<Tensor<S>, Tensor<S>> split_last(const Tensor<S>& dy, int cols_a) {
  const int f = dy.cols(), fb = f - cols_a;
  if (cols_a < 1 || fb < 1) throw_input_error("cannot split {} features after {}", f, cols_a);
  auto sa = dy.shape, sb = dy.shape;
  sa.back() = cols_a;
  sb.back() = fb;
  Tensor<S> a(sa), b(sb);
  for (int r = 0; r < dy.rows(); ++r) {
    std::copy_n(dy.data.begin() + static_cast<std::ptrdiff_t>(r) * f, cols_a, a.data.begin() + static_cast<std::ptrdiff_t>(r) * cols_a);
    std::copy_n(dy.data.begin() + static_cast<std::ptrdiff_t>(r) * f + cols_a, fb, b.data.begin() + static_cast<std::ptrdiff_t>(r) * fb);
  }
  return {std::move(a), std::move(b)};
}

template class Sequential<float>;
template class Sequential<double>;
template Tensor<float> concat_last(const Tensor<float>&, const Tensor<float>&);
template Tensor<double> concat_last(const Tensor<double>&, const Tensor<double>&);
template std::pair<Tensor<float>, Tensor<float>> split_last(const Tensor<float>&, int);
template std::pair<Tensor<double>, Tensor<double>> split_last(const Tensor<double>&, int);

}  // namespace fedload::model
