#pragma once
// Training losses over flat buffers, shared by the CPU backends and the model toolkit.
// Both are means over all n = b*O predicted values, as torch.nn.MSELoss / L1Loss (reduction
// "mean").
#include <cstddef>

#include "fedload/kernels/backend.hpp"

namespace fedload::kernels {

// Returns the loss and writes dloss/dyhat into dyhat (n values, may be nullptr).
//   mse: mean (yhat - y)^2          grad 2 (yhat - y) / n
//   l1:  mean |yhat - y|            grad sign(yhat - y) / n, with sign(0) = 0 as in PyTorch
template <typename S>
double loss_and_grad(LossKind kind, std::size_t n, const S* yhat, const S* y, S* dyhat);

}  // namespace fedload::kernels
