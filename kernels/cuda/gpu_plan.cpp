// Work split of the persistent, cluster and register LSTM kernels and the step kernel's batch chunk.
#include "fedload/kernels/gpu_plan.hpp"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

namespace fedload::kernels {

std::optional<PersistentPlan> plan_persistent_lstm(int H, int sm_count, std::size_t smem_per_block_optin,
                                                   std::string* why) {
  if (H < 1 || sm_count < 1) {
    if (why) *why = fmt::format("invalid H={} or SM count={}", H, sm_count);
    return std::nullopt;
  }
  PersistentPlan p;
  p.units_per_block = (H + sm_count - 1) / sm_count;
  p.blocks = (H + p.units_per_block - 1) / p.units_per_block;
  p.smem_bytes = std::size_t(4) * p.units_per_block * H * sizeof(float) + kPersistentSmemReserve;
  if (p.smem_bytes > smem_per_block_optin) {
    if (why) {
      *why = fmt::format(
          "H={} needs {} units per block x 4 gates x H floats = {} bytes of shared memory per block, "
          "more than the {} a block may use (limit H={})",
          H, p.units_per_block, p.smem_bytes, smem_per_block_optin,
          max_persistent_hidden(sm_count, smem_per_block_optin));
    }
    return std::nullopt;
  }
  return p;
}

int max_persistent_hidden(int sm_count, std::size_t smem_per_block_optin) {
  // the need grows with H (not strictly: U jumps at multiples of sm_count), so scan downwards
  // from a bound no device reaches
  int best = 0;
  for (int H = 1; H <= 8192; ++H) {
    const int U = (H + sm_count - 1) / sm_count;
    if (std::size_t(4) * U * H * sizeof(float) + kPersistentSmemReserve <= smem_per_block_optin) best = H;
  }
  return best;
}

std::optional<ClusterPlan> plan_cluster_lstm(int H, int B, int cluster, std::size_t smem_per_block_optin,
                                             std::string* why) {
  if (H < 1 || B < 1 || cluster < 1) {
    if (why) *why = fmt::format("invalid H={} B={} cluster={}", H, B, cluster);
    return std::nullopt;
  }
  ClusterPlan p;
  p.cluster = cluster;
  p.units_per_block = (H + cluster - 1) / cluster;
  const std::size_t U = p.units_per_block, h = H, b = B, c = cluster;
  p.smem_forward = (4 * U * h + 2 * b * h + 4 * U + 11 * b * U) * sizeof(float);
  p.smem_backward = (4 * U * h + 2 * c * b * U + 4 * b * U + b * U) * sizeof(float);
  const std::size_t need = std::max(p.smem_forward, p.smem_backward);
  if (need > smem_per_block_optin) {
    if (why) {
      *why = fmt::format(
          "H={} B={} on a cluster of {} needs {} bytes of shared memory per CTA ({} units x 4 gates x H weights "
          "plus exchange buffers), more than the {} a CTA may use",
          H, B, cluster, need, U, smem_per_block_optin);
    }
    return std::nullopt;
  }
  return p;
}

std::vector<int> cluster_sizes_to_try(int /*H*/) {
  // measured on an H100 (bench/README.md, GPU): 16 CTAs beat 4 or 8 at every client shape, since
  // the per-CTA share of the product, not the barrier, sets the step time; 8 is the portable size
  return {16, 8};
}

std::optional<RegisterPlan> plan_register_lstm(int H, int B, int sm_count, std::string* why) {
  if (H < 1 || B < 1 || sm_count < 1) {
    if (why) *why = fmt::format("invalid H={} B={} or SM count={}", H, B, sm_count);
    return std::nullopt;
  }
  if (H > kRegisterMaxHidden) {
    if (why) {
      *why = fmt::format(
          "H={} is above the register kernel's limit H={}: W_hh is 4 H^2 = {} floats, and at H={} it already "
          "takes 64K registers, the whole register file (64K x 32 bit) of one SM, spread over a cluster of 2",
          H, kRegisterMaxHidden, 4LL * H * H, kRegisterMaxHidden);
    }
    return std::nullopt;
  }
  RegisterPlan p;
  p.bucket = H <= 32 ? 32 : (H <= 64 ? 64 : 128);
  p.cluster = p.bucket == 128 ? 2 : 1;
  if (sm_count < p.cluster) {
    if (why) *why = fmt::format("H={} needs a cluster of {} CTAs, the device has {} SM", H, p.cluster, sm_count);
    return std::nullopt;
  }
  p.threads = p.bucket / p.cluster * kRegisterLanesPerUnit;
  p.weight_registers = p.bucket / 2;
  const int fit = sm_count / p.cluster;  // slices resident at once, one CTA per SM
  p.slice_batch = std::min((B + std::min(B, fit) - 1) / std::min(B, fit), kRegisterMaxSliceBatch);
  p.slices = (B + p.slice_batch - 1) / p.slice_batch;
  p.batch_chunk = p.slice_batch == 1 ? 1 : (p.slice_batch == 2 ? 2 : 4);
  p.waves = (p.slices * p.cluster + sm_count - 1) / sm_count;
  return p;
}

int register_slices(const RegisterPlan& plan, int b) { return (b + plan.slice_batch - 1) / plan.slice_batch; }

int step_batch_chunk(int B) {
  if (B >= 8) return 8;
  if (B >= 4) return 4;
  if (B >= 2) return 2;
  return 1;
}

}  // namespace fedload::kernels
