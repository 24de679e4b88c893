#pragma once
// What a GPU backend chose at construction, for logs, benchmarks and result files: the cuDNN
// algorithm that runs and whether its step is a CUDA graph ("algo=persist_static (fastest of
// standard persist_static persist_small_h), graph"), or how the hand-written recurrence runs
// ("step kernels, CUDA graph", "persistent blocks=128 units/block=2"), then the arithmetic
// (", fp32", ", tf32 GEMMs (cuBLAS), recurrence fp32", ", tf32 (CUDNN_DEFAULT_MATH), ...").
#include <string>

#include "fedload/kernels/backend.hpp"

namespace fedload::kernels {

// Empty for backends that are not GPU backends (and in builds without CUDA).
std::string backend_detail(const ForecasterBackend& backend);

// Tests: fills every output and scratch buffer of a GPU backend (gradients, predictions, hidden
// and cell states, gate and gradient scratch) with NaN, so that a comparison afterwards proves
// each element was written by the next call. False (and nothing done) for other backends.
bool poison_gpu_outputs(ForecasterBackend& backend);

}  // namespace fedload::kernels
