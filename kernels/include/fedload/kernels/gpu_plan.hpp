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

// The register LSTM kernels (`cuda_register`, register_lstm.cu) keep W_hh in REGISTERS for all
// T steps, and split the batch into S independent slices of Bs samples (one CTA, or one cluster
// of C CTAs, per slice; no grid-wide synchronization). H is padded to a bucket HP (32, 64 or
// 128; the padding weights are zero). CTA r of a slice owns units [r HP/C, (r+1) HP/C); each
// unit has kRegisterLanesPerUnit lanes of one warp, and lane s of unit j holds, for its 4 gate
// rows, the columns m = 4 (s + 8 i) + q (i < HP/32, q < 4): HP/2 weight registers per thread.
// The backward kernel holds the same count of W_hh^T. Weights per CTA: 4 (HP/C) HP floats:
//   HP = 32:  C = 1, 256 threads, 16 weight registers per thread (4K of the 64K-register file)
//   HP = 64:  C = 1, 512 threads, 32 weight registers per thread (16K)
//   HP = 128: C = 2, 512 threads, 64 weight registers per thread (32K per CTA, h_t exchanged
//             through distributed shared memory, hardware cluster barrier per step)
// H > 128 is refused: W_hh alone is 4 H^2 floats, 64K registers at H = 128, the WHOLE register
// file (64K x 32 bit) of one SM; a cluster of 2 holds it at half of each SM's file, and H = 256
// (256K floats) would need 8 SMs' register files at that share, or spills.
struct RegisterPlan {
  int bucket = 0;            // HP: H padded to 32, 64 or 128
  int cluster = 0;           // C: CTAs per slice
  int slices = 0;            // S, for the built batch B
  int slice_batch = 0;       // Bs = ceil(B / S) samples per slice (<= kRegisterMaxSliceBatch)
  int batch_chunk = 0;       // samples a lane group works on per step, compile time: 1, 2 or 4 (>= Bs)
  int threads = 0;           // per CTA: (HP / C) x kRegisterLanesPerUnit
  int weight_registers = 0;  // W_hh floats per thread: HP / 2
  int waves = 0;             // ceil(S C / SMs): 1 unless B > kRegisterMaxSliceBatch x SMs / C
};
constexpr int kRegisterMaxHidden = 128;
constexpr int kRegisterLanesPerUnit = 8;
constexpr int kRegisterMaxSliceBatch = 4;
// nullopt (with *why) for H > 128, H < 1, B < 1, or fewer SMs than a cluster. S fills the SMs
// (S C <= SMs) with the fewest samples per slice: S = min(B, SMs / C), Bs = ceil(B / S), then
// S = ceil(B / Bs) (no empty slice); Bs is capped at kRegisterMaxSliceBatch, beyond which the
// slices run in more than one wave.
std::optional<RegisterPlan> plan_register_lstm(int H, int B, int sm_count, std::string* why = nullptr);
// Slices a loaded batch of b <= B samples runs on: ceil(b / Bs); slice s owns samples
// [s Bs, min(b, (s+1) Bs)).
int register_slices(const RegisterPlan& plan, int b);

// Samples one warp of the recurrent step kernel handles at once (1, 2, 4 or 8): more samples
// reuse each weight read, fewer leave more warps for small batches.
int step_batch_chunk(int B);

}  // namespace fedload::kernels
