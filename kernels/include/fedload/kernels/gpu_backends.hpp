#pragma once
// What a GPU backend chose at construction, for logs, benchmarks and result files: the cuDNN
// algorithm that runs ("algo=persist_static (tried standard=0.412ms ...)"), or how the
// hand-written recurrence runs ("graph", "stream", "persistent blocks=128 units/block=2").
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
