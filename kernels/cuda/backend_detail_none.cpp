// backend_detail for builds without CUDA: no backend has GPU details.
#include "fedload/kernels/gpu_backends.hpp"

namespace fedload::kernels {

std::string backend_detail(const ForecasterBackend&) { return {}; }
bool poison_gpu_outputs(ForecasterBackend&) { return false; }

}  // namespace fedload::kernels
