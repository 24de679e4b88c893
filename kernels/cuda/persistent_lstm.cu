// `cuda_persistent`: the whole forward recurrence of one LSTM layer in ONE cooperative launch.
// Block k owns hidden units [k U, (k+1) U); it loads their 4 U rows of W_hh into shared memory
// once and keeps them for all T steps, so after the load the only global traffic per step is
// h_{t-1} (B H floats, from L2) and the step's own gate/state outputs. Steps are separated by a
// grid-wide barrier (cooperative_groups grid.sync), which is this kernel's latency floor:
// T x (one barrier + one L2 round trip for h). The backward pass is the `cuda` backend's.
#include <cooperative_groups.h>

#include "fedload/kernels/cuda_check.hpp"
#include "lstm_cell.cuh"
#include "lstm_kernels.cuh"

namespace cg = cooperative_groups;

namespace fedload::kernels::cuda {

namespace {

constexpr int kPersistentWarps = 8;
constexpr int kPersistentChunk = 4;  // samples per warp item

__global__ void __launch_bounds__(kPersistentWarps * 32, 1)
    lstm_persistent_forward_kernel(int B, int T, int H, int U, const float* __restrict__ w_hh,
                                   const float* __restrict__ b_ih, const float* __restrict__ b_hh,
                                   float* __restrict__ gates, float* h_seq, float* __restrict__ h_prev_seq,
                                   float* __restrict__ c_seq) {
  extern __shared__ float w_s[];  // [U][4][H]: unit u, gate k at (u*4 + k)*H
  cg::grid_group grid = cg::this_grid();
  const int j0 = blockIdx.x * U;
  const int units = min(U, H - j0);
  for (int idx = threadIdx.x; idx < units * 4 * H; idx += blockDim.x) {
    const int u = idx / (4 * H), k = (idx / H) % 4, m = idx % H;
    w_s[idx] = w_hh[(std::size_t(k) * H + j0 + u) * H + m];
  }
  __syncthreads();
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  const int chunks = (B + kPersistentChunk - 1) / kPersistentChunk;
  for (int t = 0; t < T; ++t) {
    for (int item = warp; item < units * chunks; item += kPersistentWarps) {
      const int u = item % units, b0 = (item / units) * kPersistentChunk;
      const int j = j0 + u;
      // unit u's four gate rows sit H floats apart in shared memory
      lstm_unit_step_forward<kPersistentChunk, true>(B, T, H, t, j, b0, lane, w_s + std::size_t(u) * 4 * H,
                                                     std::size_t(H), b_ih, b_hh, gates, h_seq, h_prev_seq, c_seq);
    }
    grid.sync();
  }
}

}  // namespace

void launch_lstm_persistent_forward(const PersistentPlan& plan, int b, int T, int H, const float* w_hh,
                                    const float* b_ih, const float* b_hh, float* gates, float* h_seq,
                                    float* h_prev_seq, float* c_seq, cudaStream_t s) {
  // the shared-memory limit was raised by persistent_blocks_per_sm, outside any graph capture
  auto* kernel = lstm_persistent_forward_kernel;
  int U = plan.units_per_block;
  void* args[] = {&b, &T, &H, &U, &w_hh, &b_ih, &b_hh, &gates, &h_seq, &h_prev_seq, &c_seq};
  CUDA_CHECK(cudaLaunchCooperativeKernel(reinterpret_cast<const void*>(kernel), dim3(plan.blocks),
                                         dim3(kPersistentWarps * 32), args, plan.smem_bytes, s));
}

// Blocks of the persistent kernel that fit on one SM with this much shared memory.
int persistent_blocks_per_sm(std::size_t smem_bytes) {
  auto* kernel = lstm_persistent_forward_kernel;
  CUDA_CHECK(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, int(smem_bytes)));
  int n = 0;
  CUDA_CHECK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&n, kernel, kPersistentWarps * 32, smem_bytes));
  return n;
}

}  // namespace fedload::kernels::cuda
