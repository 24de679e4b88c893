// Adam and SGD with momentum over a flat parameter buffer, following torch.optim's update rules
// (single-tensor, non-foreach path) so the model's steps can be compared with PyTorch's.
#include "fedload/kernels/optimizer.hpp"

#include <algorithm>
#include <cmath>

#include "fedload/core/error.hpp"

namespace fedload::kernels {

void check_prox_mu(float prox_mu, bool has_center) {
  if (!(prox_mu >= 0.0f) || !std::isfinite(prox_mu))
    throw_input_error("the proximal term's mu (prox_mu) must be finite and >= 0, got {}", prox_mu);
  if (prox_mu > 0.0f && !has_center)
    throw_runtime_error("prox_mu = {} needs a proximal center: call set_prox_center before the optimizer step",
                        prox_mu);
}

template <typename S>
double global_grad_norm(const S* grads, std::size_t n) {
  double sum = 0.0;
  for (std::size_t k = 0; k < n; ++k) sum += static_cast<double>(grads[k]) * static_cast<double>(grads[k]);
  return std::sqrt(sum);
}

template <typename S>
double clip_grad_norm(S* grads, std::size_t n, double max_norm) {
  const double norm = global_grad_norm(grads, n);
  if (max_norm <= 0.0) return norm;
  const double coef = max_norm / (norm + 1e-6);
  if (coef < 1.0) {
    for (std::size_t k = 0; k < n; ++k) grads[k] = static_cast<S>(grads[k] * coef);
  }
  return norm;
}

template <typename S>
void add_prox_gradient(S* grads, const S* params, const S* center, std::size_t n, S mu) {
  for (std::size_t k = 0; k < n; ++k) grads[k] += mu * (params[k] - center[k]);
}

template <typename S>
void OptimizerState<S>::reset(std::size_t n) {
  n_ = n;
  t_ = 0;
  m_.assign(n, S(0));
  v_.assign(n, S(0));
}

template <typename S>
void OptimizerState<S>::step(const OptimizerOptions& opt, S* params, S* grads, const S* prox_center) {
  if (!(opt.lr > 0.0f)) throw_input_error("learning rate must be positive, got {}", opt.lr);
  check_prox_mu(opt.prox_mu, prox_center != nullptr);
  if (opt.prox_mu > 0.0f) add_prox_gradient(grads, params, prox_center, n_, static_cast<S>(opt.prox_mu));
  clip_grad_norm(grads, n_, opt.max_grad_norm);
  ++t_;
  const S wd = static_cast<S>(opt.weight_decay);
  if (opt.kind == OptimizerKind::kAdam) {
    const S b1 = static_cast<S>(opt.beta1), b2 = static_cast<S>(opt.beta2);
    // bias corrections as torch.optim.Adam: step_size = lr / bc1, denom = sqrt(v) / sqrt(bc2) + eps
    const double bc1 = 1.0 - std::pow(static_cast<double>(opt.beta1), static_cast<double>(t_));
    const double bc2 = 1.0 - std::pow(static_cast<double>(opt.beta2), static_cast<double>(t_));
    const S step_size = static_cast<S>(opt.lr / bc1);
    const S sqrt_bc2 = static_cast<S>(std::sqrt(bc2));
    const S eps = static_cast<S>(opt.eps);
    for (std::size_t k = 0; k < n_; ++k) {
      const S g = grads[k] + wd * params[k];
      m_[k] = b1 * m_[k] + (S(1) - b1) * g;
      v_[k] = b2 * v_[k] + (S(1) - b2) * g * g;
      params[k] -= step_size * m_[k] / (std::sqrt(v_[k]) / sqrt_bc2 + eps);
    }
  } else {
    const S mu = static_cast<S>(opt.momentum), lr = static_cast<S>(opt.lr);
    for (std::size_t k = 0; k < n_; ++k) {
      S g = grads[k] + wd * params[k];
      if (mu != S(0)) {
        // torch.optim.SGD: the buffer starts as the first gradient, then buf = mu buf + g
        m_[k] = t_ == 1 ? g : mu * m_[k] + g;
        g = m_[k];
      }
      params[k] -= lr * g;
    }
  }
}

template double global_grad_norm<float>(const float*, std::size_t);
template double global_grad_norm<double>(const double*, std::size_t);
template double clip_grad_norm<float>(float*, std::size_t, double);
template double clip_grad_norm<double>(double*, std::size_t, double);
template void add_prox_gradient<float>(float*, const float*, const float*, std::size_t, float);
template void add_prox_gradient<double>(double*, const double*, const double*, std::size_t, double);
template class OptimizerState<float>;
template class OptimizerState<double>;

}  // namespace fedload::kernels
