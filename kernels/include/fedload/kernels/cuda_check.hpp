#pragma once
// One place for CUDA, cuBLAS and cuDNN error checks. Every call into these libraries goes
// through a macro that throws fedload::Error carrying file:line, the call's text, the library's
// own message and, when one is known, a hint at the usual cause. Include only from code built
// with CUDA (FEDLOAD_HAVE_CUDA); cuDNN checks appear when FEDLOAD_HAVE_CUDNN is defined too.
#include <string>

#include <cublas_v2.h>
#include <cuda_runtime.h>
#ifdef FEDLOAD_HAVE_CUDNN
#include <cudnn.h>
#endif

#include "fedload/core/error.hpp"

namespace fedload::kernels::detail {

inline const char* cuda_hint(cudaError_t e) {
  switch (e) {
    case cudaErrorInsufficientDriver:
    case cudaErrorNoDevice:
      return "no usable GPU: check nvidia-smi and that the driver is at least as new as the runtime";
    case cudaErrorMemoryAllocation:
      return "device memory exhausted: reduce the batch, hidden size or clients per GPU";
    case cudaErrorCooperativeLaunchTooLarge:
      return "the persistent kernel's grid does not fit on the device at once";
    case cudaErrorInvalidConfiguration:
      return "launch configuration out of range (block size or shared memory)";
    case cudaErrorUnsupportedPtxVersion:
    case cudaErrorNoKernelImageForDevice:
      return "binary not built for this GPU: set CMAKE_CUDA_ARCHITECTURES to its compute capability";
    default:
      return nullptr;
  }
}

[[noreturn]] inline void throw_cuda_error(cudaError_t e, const char* call, const char* file, int line) {
  const char* hint = cuda_hint(e);
  throw Error(ErrorKind::kRuntime,
              fmt::format("{}:{}: CUDA error {} ({}) in {}{}{}", file, line, cudaGetErrorName(e),
                          cudaGetErrorString(e), call, hint ? "; hint: " : "", hint ? hint : ""));
}

inline const char* cublas_hint(cublasStatus_t s) {
  switch (s) {
    case CUBLAS_STATUS_NOT_INITIALIZED: return "cublasCreate failed: is a GPU visible?";
    case CUBLAS_STATUS_ALLOC_FAILED: return "device memory exhausted";
    case CUBLAS_STATUS_INVALID_VALUE: return "a size or leading dimension is out of range";
    case CUBLAS_STATUS_ARCH_MISMATCH: return "the GPU lacks a feature this call needs";
    default: return nullptr;
  }
}

[[noreturn]] inline void throw_cublas_error(cublasStatus_t s, const char* call, const char* file, int line) {
  const char* hint = cublas_hint(s);
  throw Error(ErrorKind::kRuntime,
              fmt::format("{}:{}: cuBLAS error {} ({}) in {}{}{}", file, line, cublasGetStatusName(s),
                          cublasGetStatusString(s), call, hint ? "; hint: " : "", hint ? hint : ""));
}

#ifdef FEDLOAD_HAVE_CUDNN
inline const char* cudnn_hint(cudnnStatus_t s) {
  switch (s) {
    case CUDNN_STATUS_NOT_SUPPORTED:
      return "this RNN algorithm does not support the shape (try cudnn_standard)";
    case CUDNN_STATUS_BAD_PARAM: return "a descriptor's sizes do not match the data";
    case CUDNN_STATUS_NOT_INITIALIZED: return "cudnnCreate failed: is a GPU visible and libcudnn on the library path?";
    default: return nullptr;
  }
}

// Thrown for CUDNN_STATUS_NOT_SUPPORTED so that algorithm probing can tell "this algorithm does
// not take this shape" from real failures.
class CudnnNotSupported : public Error {
 public:
  explicit CudnnNotSupported(std::string message) : Error(ErrorKind::kRuntime, std::move(message)) {}
};

[[noreturn]] inline void throw_cudnn_error(cudnnStatus_t s, const char* call, const char* file, int line) {
  const char* hint = cudnn_hint(s);
  std::string msg = fmt::format("{}:{}: cuDNN error {} in {}{}{}", file, line, cudnnGetErrorString(s), call,
                                hint ? "; hint: " : "", hint ? hint : "");
  // cuDNN 9 reports sub-codes (e.g. CUDNN_STATUS_NOT_SUPPORTED_SHAPE): compare the category
  if (s / 1000 * 1000 == CUDNN_STATUS_NOT_SUPPORTED) throw CudnnNotSupported(std::move(msg));
  throw Error(ErrorKind::kRuntime, std::move(msg));
}
#endif

}  // namespace fedload::kernels::detail

#define CUDA_CHECK(call)                                                                    \
  do {                                                                                      \
    cudaError_t fedload_cuda_status_ = (call);                                              \
    if (fedload_cuda_status_ != cudaSuccess)                                                \
      ::fedload::kernels::detail::throw_cuda_error(fedload_cuda_status_, #call, __FILE__, __LINE__); \
  } while (0)

// after a kernel launch: launch-configuration errors show up here, asynchronous faults later
#define CUDA_CHECK_LAUNCH() CUDA_CHECK(cudaGetLastError())

#define CUBLAS_CHECK(call)                                                                  \
  do {                                                                                      \
    cublasStatus_t fedload_cublas_status_ = (call);                                         \
    if (fedload_cublas_status_ != CUBLAS_STATUS_SUCCESS)                                    \
      ::fedload::kernels::detail::throw_cublas_error(fedload_cublas_status_, #call, __FILE__, __LINE__); \
  } while (0)

#ifdef FEDLOAD_HAVE_CUDNN
#define CUDNN_CHECK(call)                                                                   \
  do {                                                                                      \
    cudnnStatus_t fedload_cudnn_status_ = (call);                                           \
    if (fedload_cudnn_status_ != CUDNN_STATUS_SUCCESS)                                      \
      ::fedload::kernels::detail::throw_cudnn_error(fedload_cudnn_status_, #call, __FILE__, __LINE__); \
  } while (0)
#endif
