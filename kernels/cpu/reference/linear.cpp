// Reference Linear layer and elementwise activations.
#include <cmath>

#include "fedload/kernels/reference.hpp"

namespace fedload::kernels {

template <typename S>
void linear_forward_reference(int N, int I, int O, const S* x, const S* w, const S* b, S* y) {
  for (int n = 0; n < N; ++n) {
    for (int o = 0; o < O; ++o) {
      S s = b ? b[o] : S(0);
      for (int k = 0; k < I; ++k) s += w[static_cast<std::size_t>(o) * I + k] * x[static_cast<std::size_t>(n) * I + k];
      y[static_cast<std::size_t>(n) * O + o] = s;
    }
  }
}

template <typename S>
void linear_backward_reference(int N, int I, int O, const S* x, const S* w, const S* dy, S* dw,
                               S* db, S* dx) {
  for (int n = 0; n < N; ++n) {
    for (int o = 0; o < O; ++o) {
      const S g = dy[static_cast<std::size_t>(n) * O + o];
      if (db) db[o] += g;
      for (int k = 0; k < I; ++k) dw[static_cast<std::size_t>(o) * I + k] += g * x[static_cast<std::size_t>(n) * I + k];
    }
  }
  if (!dx) return;
  for (int n = 0; n < N; ++n) {
    for (int k = 0; k < I; ++k) {
      S s = 0;
      for (int o = 0; o < O; ++o) s += dy[static_cast<std::size_t>(n) * O + o] * w[static_cast<std::size_t>(o) * I + k];
      dx[static_cast<std::size_t>(n) * I + k] = s;
    }
  }
}

template <typename S>
void activation_forward_reference(Activation a, std::size_t n, const S* x, S* y) {
  for (std::size_t k = 0; k < n; ++k) {
    switch (a) {
      case Activation::kRelu: y[k] = x[k] > S(0) ? x[k] : S(0); break;
      case Activation::kTanh: y[k] = std::tanh(x[k]); break;
      case Activation::kSigmoid: y[k] = S(1) / (S(1) + std::exp(-x[k])); break;
    }
  }
}

template <typename S>
void activation_backward_reference(Activation a, std::size_t n, const S* y, const S* dy, S* dx) {
  for (std::size_t k = 0; k < n; ++k) {
    switch (a) {
      // relu'(x) = 1 where x > 0, i.e. where y > 0 (0 at x = 0, as PyTorch)
      case Activation::kRelu: dx[k] = y[k] > S(0) ? dy[k] : S(0); break;
      case Activation::kTanh: dx[k] = dy[k] * (S(1) - y[k] * y[k]); break;
      case Activation::kSigmoid: dx[k] = dy[k] * y[k] * (S(1) - y[k]); break;
    }
  }
}

#define FEDLOAD_INSTANTIATE(S)                                                                   \
  template void linear_forward_reference<S>(int, int, int, const S*, const S*, const S*, S*);   \
  template void linear_backward_reference<S>(int, int, int, const S*, const S*, const S*, S*,   \
                                             S*, S*);                                            \
  template void activation_forward_reference<S>(Activation, std::size_t, const S*, S*);          \
  template void activation_backward_reference<S>(Activation, std::size_t, const S*, const S*, S*);
FEDLOAD_INSTANTIATE(float)
FEDLOAD_INSTANTIATE(double)
#undef FEDLOAD_INSTANTIATE

}  // namespace fedload::kernels
