#pragma once
// Host-side decisions of the GPU backends, as plain C++ so that CI (no GPU) tests them:
// the persistent kernel's work split and its hidden-size limit, and the recurrent step kernel's
// batch chunk.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace fedload::kernels {

// The persistent LSTM kernel keeps every block's slice of W_hh in shared memory for all T steps:
// block k owns hidden units [k U, (k+1) U) and their 4 gate rows of length H, so it needs
// 4 U H floats. All blocks must be resident at once (grid-wide barrier between steps), one per
// SM, so blocks <= SMs and U = ceil(H / SMs). On an H100 (132 SMs, 227 KiB per block) that
// puts the limit near H = 1320; see max_persistent_hidden.
struct PersistentPlan {
  int blocks = 0;           // grid size, <= sm_count
  int units_per_block = 0;  // U
  std::size_t smem_bytes = 0;
};

// Bytes of shared memory the kernel keeps besides the weights (per block).
constexpr std::size_t kPersistentSmemReserve = 1024;

// nullopt (with *why) when H does not fit.
std::optional<PersistentPlan> plan_persistent_lstm(int H, int sm_count, std::size_t smem_per_block_optin,
                                                   std::string* why = nullptr);
// Largest H for which plan_persistent_lstm succeeds (0 if none).
int max_persistent_hidden(int sm_count, std::size_t smem_per_block_optin);

// The cluster LSTM kernels (`cuda_cluster`) run a layer's whole forward recurrence, and then its
// whole backward recurrence, on ONE thread-block cluster of C CTAs (16, Hopper's non-portable
// maximum, else 8; see cluster_sizes_to_try). CTA r owns hidden units [r U, (r+1) U), U = ceil(H / C), and keeps
// their 4 U rows of W_hh in shared memory for both directions. Steps exchange h_t (forward) and
// the partial products W_hh^T dA (backward) through distributed shared memory and wait on the
// hardware cluster barrier instead of a grid-wide one. Shared memory per CTA:
//   forward  4 U H + 2 B H + 4 U + 11 B U floats   (weights, double-buffered h, bias, and per
//                                                  cell c, the next step's inputs, staged outputs)
//   backward 4 U H + 2 C B U + 4 B U + B U floats  (weights, double-buffered partials, dA, dc)
// so the limit depends on B: H = 256 fits with B = 32 on an H100, H = 512 never does.
struct ClusterPlan {
  int cluster = 0;          // C
  int units_per_block = 0;  // U
  std::size_t smem_forward = 0, smem_backward = 0;
};
std::optional<ClusterPlan> plan_cluster_lstm(int H, int B, int cluster, std::size_t smem_per_block_optin,
                                             std::string* why = nullptr);

// Cluster sizes to try, in order: 16, then the portable 8 (FEDLOAD_CUDA_CLUSTER=<n> forces one
// size, for experiments).
std::vector<int> cluster_sizes_to_try(int H);

// Samples one warp of the recurrent step kernel handles at once (1, 2, 4 or 8): more samples
// reuse each weight read, fewer leave more warps for small batches.
int step_batch_chunk(int B);

}  // namespace fedload::kernels
