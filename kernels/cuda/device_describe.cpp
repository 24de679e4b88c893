// describe(DeviceInfo): shared by the CUDA and no-CUDA builds.
#include <fmt/format.h>

#include "fedload/kernels/device_info.hpp"

namespace fedload::kernels {

namespace {
std::string version3(int v, int major_div) {
  // CUDA encodes 1000*major + 10*minor; cuDNN 9 and cuBLAS here 10000*major + 100*minor + patch
  if (major_div == 1000) return fmt::format("{}.{}", v / 1000, (v % 1000) / 10);
  return fmt::format("{}.{}.{}", v / major_div, (v % major_div) / 100, v % 100);
}
}  // namespace

std::string describe(const DeviceInfo& d) {
  return fmt::format(
      "gpu{} {} sm_{}{} SMs={} clock={}MHz mem={:.1f}GiB smem/block={}KiB L2={}MiB driver={} runtime={} "
      "cublas={} cudnn={} fp32_peak={:.1f}TFLOP/s",
      d.index, d.name, d.cc_major, d.cc_minor, d.sm_count, d.sm_clock_khz / 1000,
      double(d.memory_bytes) / double(1ull << 30), d.smem_per_block_optin / 1024, d.l2_bytes >> 20,
      version3(d.driver_version, 1000), version3(d.runtime_version, 1000), version3(d.cublas_version, 10000),
      d.cudnn_version ? version3(d.cudnn_version, 10000) : std::string("none"), d.fp32_peak_flops() / 1e12);
}

}  // namespace fedload::kernels
