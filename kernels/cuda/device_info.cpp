// Device query through the CUDA runtime (and cuDNN/cuBLAS for their versions).
#include "fedload/kernels/device_info.hpp"

#include <cublas_v2.h>
#include <cuda_runtime.h>
#ifdef FEDLOAD_HAVE_CUDNN
#include <cudnn.h>
#endif

#include <fmt/format.h>

#include "fedload/core/error.hpp"

namespace fedload::kernels {

std::vector<DeviceInfo> query_devices(std::string* why_none) {
  std::vector<DeviceInfo> out;
  int count = 0;
  const cudaError_t e = cudaGetDeviceCount(&count);
  if (e != cudaSuccess || count == 0) {
    if (why_none) {
      *why_none = e != cudaSuccess ? fmt::format("{}: {}", cudaGetErrorName(e), cudaGetErrorString(e))
                                   : std::string("the CUDA runtime sees no device");
    }
    (void)cudaGetLastError();  // a failed query must not poison later calls
    return out;
  }
  int driver = 0, runtime = 0;
  cudaDriverGetVersion(&driver);
  cudaRuntimeGetVersion(&runtime);
  int cublas = 0;
  cublasGetProperty(MAJOR_VERSION, &cublas);
  int minor = 0, patch = 0;
  cublasGetProperty(MINOR_VERSION, &minor);
  cublasGetProperty(PATCH_LEVEL, &patch);
  cublas = cublas * 10000 + minor * 100 + patch;
  int cudnn = 0;
#ifdef FEDLOAD_HAVE_CUDNN
  cudnn = static_cast<int>(cudnnGetVersion());
#endif
  for (int i = 0; i < count; ++i) {
    cudaDeviceProp p{};
    if (cudaGetDeviceProperties(&p, i) != cudaSuccess) continue;
    DeviceInfo d;
    d.index = i;
    d.name = p.name;
    d.cc_major = p.major;
    d.cc_minor = p.minor;
    d.sm_count = p.multiProcessorCount;
    cudaDeviceGetAttribute(&d.sm_clock_khz, cudaDevAttrClockRate, i);
    d.memory_bytes = p.totalGlobalMem;
    d.smem_per_block_optin = p.sharedMemPerBlockOptin;
    d.smem_per_sm = p.sharedMemPerMultiprocessor;
    d.l2_bytes = static_cast<std::size_t>(p.l2CacheSize);
    d.cooperative_launch = p.cooperativeLaunch != 0;
    d.driver_version = driver;
    d.runtime_version = runtime;
    d.cublas_version = cublas;
    d.cudnn_version = cudnn;
    out.push_back(std::move(d));
  }
  if (out.empty() && why_none) *why_none = "cudaGetDeviceProperties failed for every device";
  return out;
}

void clear_device_error() { (void)cudaGetLastError(); }

int bind_device(int node_rank) {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess || count == 0) {
    (void)cudaGetLastError();  // no device (or no driver): CPU backends only, as before
    return -1;
  }
  const int device = device_for_node_rank(node_rank, count);
  const cudaError_t e = cudaSetDevice(device);
  if (e != cudaSuccess) {
    (void)cudaGetLastError();
    throw_runtime_error("cudaSetDevice({}) for node-local rank {} of a node with {} visible device(s): {} ({})",
                        device, node_rank, count, cudaGetErrorName(e), cudaGetErrorString(e));
  }
  return device;
}

int current_device() {
  int device = 0;
  if (cudaGetDevice(&device) != cudaSuccess) {
    (void)cudaGetLastError();
    return 0;
  }
  return device;
}

}  // namespace fedload::kernels
