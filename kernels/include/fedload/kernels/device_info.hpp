#pragma once
// What GPUs this process can see, and the library versions it runs with; result files record
// it and GPU tests skip when it is empty. Built with or without CUDA: without, query_devices
// returns nothing and says why.
#include <cstddef>
#include <string>
#include <vector>

namespace fedload::kernels {

struct DeviceInfo {
  int index = 0;
  std::string name;
  int cc_major = 0, cc_minor = 0;    // compute capability
  int sm_count = 0;
  int sm_clock_khz = 0;              // peak SM clock
  std::size_t memory_bytes = 0;
  std::size_t smem_per_block_optin = 0;  // largest dynamic shared memory one block may ask for
  std::size_t smem_per_sm = 0;
  std::size_t l2_bytes = 0;
  bool cooperative_launch = false;
  int driver_version = 0;   // cudaDriverGetVersion, e.g. 13000
  int runtime_version = 0;  // cudaRuntimeGetVersion
  int cublas_version = 0;   // cublasGetVersion, e.g. 130100
  int cudnn_version = 0;    // cudnnGetVersion, e.g. 91900; 0 when built without cuDNN

  // FP32 FMA peak: SMs x 128 FP32 lanes x 2 FLOP x clock (Hopper/Ampere consumer+datacenter).
  double fp32_peak_flops() const { return double(sm_count) * 128.0 * 2.0 * double(sm_clock_khz) * 1e3; }
};

// Every visible device, or an empty list with *why_none (when given) saying why: "built
// without CUDA", or the runtime's own error (e.g. cudaErrorInsufficientDriver on a machine
// with the toolkit but no driver).
std::vector<DeviceInfo> query_devices(std::string* why_none = nullptr);

// Clears the CUDA runtime's last error, so that a GPU backend built after one that failed with a
// CUDA error (e.g. out of memory) does not see that error at its first check; nothing without CUDA.
void clear_device_error();

// The CUDA device of a rank: ranks on one node go round-robin over the devices the process
// sees, node_rank % device_count (node_rank: the rank's place among the ranks on its node);
// -1 when device_count is 0. InputError for a negative node_rank or device_count. Plain
// arithmetic, built with or without CUDA.
int device_for_node_rank(int node_rank, int device_count);

// Makes device_for_node_rank(node_rank, visible devices) the calling thread's CUDA device
// (cudaSetDevice) and returns its index; GPU backends built afterwards on this thread run on
// it. -1, and nothing done, when no device is visible or the build has no CUDA. With one
// device per rank (CUDA_VISIBLE_DEVICES set per rank by the launcher) every rank gets 0.
int bind_device(int node_rank);

// The calling thread's CUDA device (0 unless bind_device chose another; 0 without CUDA).
int current_device();

// One line per device, for logs and result-file attributes.
std::string describe(const DeviceInfo& d);

}  // namespace fedload::kernels
