// MSE and L1 losses over flat buffers (mean over all values).
#include <cmath>

#include "fedload/kernels/loss.hpp"

namespace fedload::kernels {

template <typename S>
double loss_and_grad(LossKind kind, std::size_t n, const S* yhat, const S* y, S* dyhat) {
  if (n == 0) return 0.0;
  double sum = 0.0;
  const S inv_n = S(1) / static_cast<S>(n);
  for (std::size_t k = 0; k < n; ++k) {
    const S e = yhat[k] - y[k];
    if (kind == LossKind::kMse) {
      sum += static_cast<double>(e) * static_cast<double>(e);
      if (dyhat) dyhat[k] = S(2) * e * inv_n;
    } else {
      sum += std::abs(static_cast<double>(e));
      if (dyhat) dyhat[k] = (e > S(0) ? S(1) : (e < S(0) ? S(-1) : S(0))) * inv_n;
    }
  }
  return sum / static_cast<double>(n);
}

template double loss_and_grad<float>(LossKind, std::size_t, const float*, const float*, float*);
template double loss_and_grad<double>(LossKind, std::size_t, const double*, const double*, double*);

}  // namespace fedload::kernels
