#pragma once
// The hand-written LSTM stack: `cuda` (fused step kernels, replayed as a CUDA graph),
// `cuda_stream` (the same launches without the graph, to show what the graph saves) and
// `cuda_persistent` (forward recurrence in one cooperative kernel, backward as `cuda`),
// `cuda_cluster` (both recurrences on one thread-block cluster) and `cuda_register` (both
// recurrences with W_hh in registers, one CTA or cluster of 2 per slice of the batch).
#include <memory>
#include <string>

#include "fedload/kernels/backend.hpp"

namespace fedload::kernels::cuda {

// kStepKernels: T fused step launches per layer and direction. kPersistent: the forward
// recurrence as one cooperative kernel (grid-wide barrier per step), backward as kStepKernels.
// kCluster: forward and backward recurrences each as one thread-block-cluster kernel.
// kRegister: forward and backward recurrences each as one kernel of independent batch slices,
// W_hh in registers (H <= 128).
enum class Recurrence { kStepKernels, kPersistent, kCluster, kRegister };

std::unique_ptr<ForecasterBackend> make_cuda_forecaster(const std::string& name, const ForecasterDims& d,
                                                        Recurrence recurrence, bool graph);

}  // namespace fedload::kernels::cuda
