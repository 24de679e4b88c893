// query_devices for builds without CUDA: nothing to see, nothing to bind.
#include "fedload/kernels/device_info.hpp"

namespace fedload::kernels {

std::vector<DeviceInfo> query_devices(std::string* why_none) {
  if (why_none) *why_none = "built without CUDA";
  return {};
}

void clear_device_error() {}

int bind_device(int) { return -1; }

int current_device() { return 0; }

}  // namespace fedload::kernels
