// Built into fedload_kernels only when CUDA is off: there are no GPU backends to register.
#include "fedload/kernels/registration.hpp"

namespace fedload::kernels {

void register_gpu_backends() {}

}  // namespace fedload::kernels
