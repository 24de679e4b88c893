#pragma once
// cuDNN 9 RNN backends: "cudnn" (every static algorithm the shape allows is timed once at
// construction, the fastest is kept), "cudnn_eager" (the same, without the CUDA graph),
// "cudnn_tf32" (TF32 math), "cudnn_standard", "cudnn_persist_static", "cudnn_persist_small_h"
// (cudnn_backend_plan in cudnn_layout.hpp). The Linear head, loss and optimizer are the `cuda`
// backend's.
#include <memory>
#include <string>

#include "fedload/kernels/backend.hpp"

namespace fedload::kernels::cudnn {

std::unique_ptr<ForecasterBackend> make_cudnn_forecaster(const std::string& name, const ForecasterDims& d);

}  // namespace fedload::kernels::cudnn
