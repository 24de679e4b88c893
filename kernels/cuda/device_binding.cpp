// device_for_node_rank: which GPU a rank uses (no CUDA needed, so CI tests it without a GPU).
#include "fedload/core/error.hpp"
#include "fedload/kernels/device_info.hpp"

namespace fedload::kernels {

int device_for_node_rank(int node_rank, int device_count) {
  if (node_rank < 0) throw_input_error("node-local rank must be >= 0, got {}", node_rank);
  if (device_count < 0) throw_input_error("device count must be >= 0, got {}", device_count);
  if (device_count == 0) return -1;
  return node_rank % device_count;
}

}  // namespace fedload::kernels
