#pragma once
// Gradient clipping and optimizers over one flat parameter buffer, with PyTorch's semantics so
// that a step here equals torch.optim.Adam / SGD(momentum) on the same numbers.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fedload/kernels/backend.hpp"

namespace fedload::kernels {

// L2 norm of the whole gradient (accumulated in double).
template <typename S>
double global_grad_norm(const S* grads, std::size_t n);

// torch.nn.utils.clip_grad_norm_: when the norm exceeds max_norm, scales grads in place by
// max_norm / (norm + 1e-6). max_norm <= 0 disables clipping. Returns the norm before clipping.
template <typename S>
double clip_grad_norm(S* grads, std::size_t n, double max_norm);

// Throws InputError unless prox_mu is finite and >= 0, and an Error when prox_mu > 0 but no
// center was set (has_center false). Every backend's optimizer_step calls it.
void check_prox_mu(float prox_mu, bool has_center);

// FedProx's proximal gradient: grads += mu (params - center), in place.
template <typename S>
void add_prox_gradient(S* grads, const S* params, const S* center, std::size_t n, S mu);

// Optimizer state (Adam moments or the SGD momentum buffer) for n parameters.
// One step, in this order (c: the proximal center, mu: opt.prox_mu):
//   1. FedProx: g = g + mu (p - c)  (in place; mu = 0: skipped). The proximal term belongs to
//      the local objective F(w) + mu/2 ||w - c||^2, so its gradient is part of the gradient
//      that is clipped, as in the FedProx reference where the term is added to the loss.
//   2. clip g in place when opt.max_grad_norm > 0 (like clip_grad_norm_ before optimizer.step()).
//   3. Adam: g' = g + wd p;  m = b1 m + (1-b1) g';  v = b2 v + (1-b2) g'^2;
//            p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
//      SGD:  g' = g + wd p;  buf = g' on the first step, else buf = momentum buf + g';
//            p -= lr buf      (momentum 0: plain SGD; no dampening, no Nesterov)
// Weight decay does not modify the stored gradient; the proximal term and clipping do (a
// backend's get_grads after optimizer_step reads the clipped gradient of the whole objective).
template <typename S>
class OptimizerState {
 public:
  explicit OptimizerState(std::size_t n = 0) { reset(n); }
  // Forgets moments and the step count (e.g. after the parameters were replaced).
  void reset(std::size_t n);
  // prox_center: n values, needed when opt.prox_mu > 0 (an Error otherwise), else unread.
  void step(const OptimizerOptions& opt, S* params, S* grads, const S* prox_center = nullptr);
  std::int64_t steps() const { return t_; }
  std::size_t size() const { return n_; }

 private:
  std::size_t n_ = 0;
  std::int64_t t_ = 0;
  std::vector<S> m_, v_;  // Adam first/second moments; m_ doubles as the SGD momentum buffer
};

}  // namespace fedload::kernels
