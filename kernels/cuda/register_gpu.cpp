// The GPU backends' registration lines (called by register_builtin_backends) and
// backend_detail.
#include "cuda_forecaster.hpp"
#include "device_forecaster.hpp"
#include "fedload/kernels/cudnn_layout.hpp"
#include "fedload/kernels/gpu_backends.hpp"
#include "fedload/kernels/registration.hpp"
#ifdef FEDLOAD_HAVE_CUDNN
#include "../cudnn/cudnn_forecaster.hpp"
#endif

namespace fedload::kernels {

void register_gpu_backends() {
  using cuda::Recurrence;
  register_backend("cuda", [](const ForecasterDims& d) {
    return cuda::make_cuda_forecaster("cuda", d, Recurrence::kStepKernels, true);
  });
  register_backend("cuda_stream", [](const ForecasterDims& d) {
    return cuda::make_cuda_forecaster("cuda_stream", d, Recurrence::kStepKernels, false);
  });
  register_backend("cuda_persistent", [](const ForecasterDims& d) {
    return cuda::make_cuda_forecaster("cuda_persistent", d, Recurrence::kPersistent, true);
  });
  register_backend("cuda_cluster", [](const ForecasterDims& d) {
    return cuda::make_cuda_forecaster("cuda_cluster", d, Recurrence::kCluster, true);
  });
  register_backend("cuda_register", [](const ForecasterDims& d) {
    return cuda::make_cuda_forecaster("cuda_register", d, Recurrence::kRegister, true);
  });
  // `cuda` with its cuBLAS GEMMs in TF32 (the recurrence stays FP32)
  register_backend("cuda_tf32", [](const ForecasterDims& d) {
    auto b = cuda::make_cuda_forecaster("cuda_tf32", d, Recurrence::kStepKernels, true);
    dynamic_cast<cuda::DeviceForecaster&>(*b).allow_tf32_gemms();
    return b;
  });
#ifdef FEDLOAD_HAVE_CUDNN
  for (const std::string& n : cudnn_backend_names())
    register_backend(n, [n](const ForecasterDims& d) { return cudnn::make_cudnn_forecaster(n, d); });
#endif
}

std::string backend_detail(const ForecasterBackend& backend) {
  const auto* gpu = dynamic_cast<const cuda::DeviceForecaster*>(&backend);
  return gpu ? gpu->detail() + ", " + gpu->math_detail() : std::string();
}

bool poison_gpu_outputs(ForecasterBackend& backend) {
  auto* gpu = dynamic_cast<cuda::DeviceForecaster*>(&backend);
  if (!gpu) return false;
  gpu->poison_outputs();
  return true;
}

}  // namespace fedload::kernels
