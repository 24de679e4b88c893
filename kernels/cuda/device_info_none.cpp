// query_devices for builds without CUDA: nothing to see.
#include "fedload/kernels/device_info.hpp"

namespace fedload::kernels {

std::vector<DeviceInfo> query_devices(std::string* why_none) {
  if (why_none) *why_none = "built without CUDA";
  return {};
}

void clear_device_error() {}

}  // namespace fedload::kernels
