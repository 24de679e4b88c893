// `cuda_cluster`: a layer's whole recurrence, forward and then backward, on ONE thread-block
// cluster (see plan_cluster_lstm). CTA r keeps the 4 U rows of W_hh of its units in shared
// memory for all T steps of both directions. Per step the CTAs exchange only what the next step
// needs through distributed shared memory (DSMEM) and wait on the hardware cluster barrier:
//   forward:  each CTA computes h_t of its units and stores it into every CTA's h buffer.
//   backward: each CTA multiplies its rows of W_hh with its own units' dA_{t+1} (the
//             partial W_hh^T dA over its rows, for every unit) and sends each unit's partial to
//             the CTA that owns the unit; owners add the C partials to get dL/dh_t.
// The global outputs (gates, h_seq, h_prev_seq, c_seq; dA) are those of the step kernels, so the
// weight-gradient products after the recurrence are shared with the `cuda` backend.
#include <cooperative_groups.h>

#include <algorithm>

#include "fedload/kernels/cuda_check.hpp"
#include "lstm_cell.cuh"
#include "lstm_kernels.cuh"

namespace cg = cooperative_groups;

namespace fedload::kernels::cuda {

namespace {

constexpr int kClusterWarps = 16;
constexpr int kClusterThreads = kClusterWarps * 32;
constexpr int kChunk = 4;  // samples per warp item in the forward product

// The cluster barrier split in two: arrive (release: my DSMEM stores are visible to the cluster
// once everyone arrived) and wait (acquire). Work that no other CTA waits for, the global
// outputs of a step and the loads for the next one, goes between the two, so its memory
// latency overlaps the barrier instead of adding to it.
__device__ __forceinline__ void cluster_arrive() { asm volatile("barrier.cluster.arrive.release.aligned;\n" ::: "memory"); }
__device__ __forceinline__ void cluster_wait() { asm volatile("barrier.cluster.wait.acquire.aligned;\n" ::: "memory"); }

__device__ void load_weight_slice(float* w_s, const float* __restrict__ w_hh, int H, int j0, int units) {
  for (int idx = threadIdx.x; idx < units * 4 * H; idx += blockDim.x) {
    const int u = idx / (4 * H), k = (idx / H) % 4, m = idx % H;
    w_s[idx] = w_hh[(std::size_t(k) * H + j0 + u) * H + m];
  }
}

__global__ void __launch_bounds__(kClusterThreads, 1)
    lstm_cluster_forward_kernel(int B, int T, int H, int U, const float* __restrict__ w_hh,
                                const float* __restrict__ b_ih, const float* __restrict__ b_hh,
                                float* __restrict__ gates, float* __restrict__ h_seq, float* __restrict__ h_prev_seq,
                                float* __restrict__ c_seq) {
  cg::cluster_group cluster = cg::this_cluster();
  const int rank = static_cast<int>(cluster.block_rank());
  const int C = static_cast<int>(cluster.num_blocks());
  extern __shared__ float smem[];
  float* w_s = smem;                              // [U][4][H]
  float* hbuf = w_s + std::size_t(U) * 4 * H;     // [2][B][H]: h_{t-1} of every unit, by step parity
  float* bias_s = hbuf + std::size_t(2) * B * H;  // [4][U]: b_ih + b_hh of my units
  float* c_s = bias_s + std::size_t(4) * U;       // [B][U]: c_{t-1} of my units
  float* pre_s = c_s + std::size_t(B) * U;        // [B][U][4]: this step's W_ih x + bias of my units
  float* stage = pre_s + std::size_t(4) * B * U;  // [B][U][6]: this step's i, f, g, o, c, h, for global memory
  const int j0 = rank * U;
  const int units = max(0, min(U, H - j0));
  const int G = 4 * H;
  load_weight_slice(w_s, w_hh, H, j0, units);
  for (int idx = threadIdx.x; idx < 4 * units; idx += blockDim.x) {
    const int k = idx / units, u = idx % units;
    bias_s[k * U + u] = b_ih[k * H + j0 + u] + b_hh[k * H + j0 + u];
  }
  __syncthreads();
  for (int idx = threadIdx.x; idx < B * units; idx += blockDim.x) {
    const int b = idx / units, u = idx % units;
#pragma unroll
    for (int k = 0; k < 4; ++k)
      pre_s[(b * U + u) * 4 + k] = gates[std::size_t(b) * T * G + k * H + j0 + u] + bias_s[k * U + u];
  }
  // every CTA of the cluster must be running before any DSMEM store reaches it
  cluster.sync();
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  const int chunks = (B + kChunk - 1) / kChunk;
  for (int t = 0; t < T; ++t) {
    const float* hprev = hbuf + std::size_t((t + 1) & 1) * B * H;
    const std::size_t next = std::size_t(t & 1) * B * H;
    for (int item = warp; item < units * chunks; item += kClusterWarps) {
      const int u = item % units, b0 = (item / units) * kChunk;
      const int j = j0 + u;
      float acc[4][kChunk];
#pragma unroll
      for (int k = 0; k < 4; ++k)
#pragma unroll
        for (int bb = 0; bb < kChunk; ++bb) acc[k][bb] = 0.0f;
      if (t > 0) {
        const float* w0 = w_s + std::size_t(u) * 4 * H;
        for (int m = lane; m < H; m += 32) {
          const float w[4] = {w0[m], w0[H + m], w0[2 * H + m], w0[3 * H + m]};
#pragma unroll
          for (int bb = 0; bb < kChunk; ++bb) {
            const float hv = hprev[min(b0 + bb, B - 1) * H + m];
#pragma unroll
            for (int k = 0; k < 4; ++k) acc[k][bb] = fmaf(w[k], hv, acc[k][bb]);
          }
        }
#pragma unroll
        for (int k = 0; k < 4; ++k)
#pragma unroll
          for (int bb = 0; bb < kChunk; ++bb) acc[k][bb] = warp_sum(acc[k][bb]);
      }
      float rec[4] = {0.0f, 0.0f, 0.0f, 0.0f};
#pragma unroll
      for (int bb = 0; bb < kChunk; ++bb)
        if (lane == bb)
#pragma unroll
          for (int k = 0; k < 4; ++k) rec[k] = acc[k][bb];
      const int b = b0 + lane;
      if (lane < kChunk && b < B) {
        // the equations of lstm_cell_forward, with the bias already folded into pre_s
        const float* pre = pre_s + (b * U + u) * 4;
        const float i = sigmoidf(pre[0] + rec[0]), f = sigmoidf(pre[1] + rec[1]);
        const float gg = tanhf(pre[2] + rec[2]), o = sigmoidf(pre[3] + rec[3]);
        const float c = f * (t > 0 ? c_s[b * U + u] : 0.0f) + i * gg;
        const float h = o * tanhf(c);
        for (int r = 0; r < C; ++r) cluster.map_shared_rank(hbuf, r)[next + std::size_t(b) * H + j] = h;
        c_s[b * U + u] = c;
        float* st = stage + (b * U + u) * 6;
        st[0] = i;
        st[1] = f;
        st[2] = gg;
        st[3] = o;
        st[4] = c;
        st[5] = h;
      }
    }
    cluster_arrive();
    __syncthreads();  // stage and pre_s: this CTA's own, ordered by the CTA barrier
    for (int idx = threadIdx.x; idx < B * units; idx += blockDim.x) {
      const int b = idx / units, u = idx % units;
      const int j = j0 + u;
      const std::size_t row = std::size_t(b) * T + t;
      const float* st = stage + (b * U + u) * 6;
#pragma unroll
      for (int k = 0; k < 4; ++k) gates[row * G + k * H + j] = st[k];
      c_seq[row * H + j] = st[4];
      h_seq[row * H + j] = st[5];
      if (t + 1 < T) {
        h_prev_seq[(row + 1) * H + j] = st[5];
#pragma unroll
        for (int k = 0; k < 4; ++k) pre_s[(b * U + u) * 4 + k] = gates[(row + 1) * G + k * H + j] + bias_s[k * U + u];
      }
      if (t == 0) h_prev_seq[row * H + j] = 0.0f;
    }
    // h_t is everywhere before anyone starts step t+1; the double buffer keeps step t+1's
    // stores away from h_t reads of CTAs still finishing step t
    cluster_wait();
    __syncthreads();  // pre_s of step t+1 written by every thread of this CTA
  }
}

__global__ void __launch_bounds__(kClusterThreads, 1)
    lstm_cluster_backward_kernel(int B, int T, int H, int U, const float* __restrict__ w_hh,
                                 const float* __restrict__ gates, const float* __restrict__ c_seq,
                                 const float* __restrict__ dh_in, int last_only, float* __restrict__ dA) {
  cg::cluster_group cluster = cg::this_cluster();
  const int rank = static_cast<int>(cluster.block_rank());
  const int C = static_cast<int>(cluster.num_blocks());
  extern __shared__ float smem[];
  float* w_s = smem;                                // [U][4][H]
  float* recv = w_s + std::size_t(U) * 4 * H;       // [2][C][B][U]: partials for my units, by parity
  float* dA_loc = recv + std::size_t(2) * C * B * U;  // [B][4][U]: dA_{t+1} of my units
  float* dc_loc = dA_loc + std::size_t(4) * B * U;   // [B][U]: dL/dc carried to step t-1
  const int j0 = rank * U;
  const int units = max(0, min(U, H - j0));
  const int G = 4 * H;
  load_weight_slice(w_s, w_hh, H, j0, units);
  cluster.sync();
  for (int t = T - 1; t >= 0; --t) {
    const std::size_t buf = std::size_t(t & 1) * C * B * U;
    // this thread's first cell's inputs, loaded before the product and the barrier so that
    // their latency overlaps them
    CellInputs first{};
    if (int(threadIdx.x) < B * units)
      first = load_cell_inputs(threadIdx.x / units, j0 + threadIdx.x % units, t, T, H, gates, c_seq, dh_in, last_only);
    if (t + 1 < T) {
      // partial[b][m] = sum over my rows (u, k) of W_hh[k H + j0 + u][m] dA_{t+1}[b][k H + j0 + u]
      for (int p = threadIdx.x; p < B * H; p += blockDim.x) {
        const int b = p / H, m = p - (p / H) * H;
        float s = 0.0f;
        for (int u = 0; u < units; ++u)
#pragma unroll
          for (int k = 0; k < 4; ++k) s = fmaf(w_s[(u * 4 + k) * H + m], dA_loc[(b * 4 + k) * U + u], s);
        const int owner = m / U;
        cluster.map_shared_rank(recv, owner)[buf + (std::size_t(rank) * B + b) * U + (m - owner * U)] = s;
      }
    }
    cluster_arrive();
    if (t + 1 < T) {
      // dA_{t+1} of my units to global memory (the weight-gradient products read it), while
      // the barrier completes
      for (int q = threadIdx.x; q < B * units * 4; q += blockDim.x) {
        const int b = q / (4 * units), k = (q / units) % 4, u = q % units;
        dA[(std::size_t(b) * T + t + 1) * G + k * H + j0 + u] = dA_loc[(b * 4 + k) * U + u];
      }
    }
    cluster_wait();
    __syncthreads();  // nobody overwrites dA_loc below before every thread stored it above
    for (int q = threadIdx.x; q < B * units; q += blockDim.x) {
      const int b = q / units, u = q - (q / units) * units;
      const int j = j0 + u;
      float dh = 0.0f;
      if (t + 1 < T)
        for (int src = 0; src < C; ++src) dh += recv[buf + (std::size_t(src) * B + b) * U + u];
      const CellInputs in = q == int(threadIdx.x) ? first : load_cell_inputs(b, j, t, T, H, gates, c_seq, dh_in, last_only);
      dh += in.dh_ext;
      const float i = in.i, f = in.f, gg = in.g, o = in.o, c = in.c, c_prev = in.c_prev;
      const float tc = tanhf(c);
      const float dc_next = t == T - 1 ? 0.0f : dc_loc[b * U + u];
      const float dcc = dc_next + dh * o * (1.0f - tc * tc);
      dc_loc[b * U + u] = dcc * f;
      const float d[4] = {dcc * gg * i * (1.0f - i), dcc * c_prev * f * (1.0f - f), dcc * i * (1.0f - gg * gg),
                          dh * tc * o * (1.0f - o)};
#pragma unroll
      for (int k = 0; k < 4; ++k) dA_loc[(b * 4 + k) * U + u] = d[k];
    }
    __syncthreads();  // dA_loc of step t is complete before step t-1's partials read it
  }
  for (int q = threadIdx.x; q < B * units * 4; q += blockDim.x) {
    const int b = q / (4 * units), k = (q / units) % 4, u = q % units;
    dA[std::size_t(b) * T * G + k * H + j0 + u] = dA_loc[(b * 4 + k) * U + u];
  }
}

// one cluster of `cluster` CTAs; `attr` (owned by the caller) holds the cluster dimension the
// config points at
cudaLaunchConfig_t cluster_launch_config(int cluster, std::size_t smem, cudaStream_t s, cudaLaunchAttribute* attr) {
  cudaLaunchConfig_t cfg = {};
  cfg.gridDim = dim3(cluster);
  cfg.blockDim = dim3(kClusterThreads);
  cfg.dynamicSmemBytes = smem;
  cfg.stream = s;
  attr->id = cudaLaunchAttributeClusterDimension;
  attr->val.clusterDim.x = cluster;
  attr->val.clusterDim.y = 1;
  attr->val.clusterDim.z = 1;
  cfg.attrs = attr;
  cfg.numAttrs = 1;
  return cfg;
}

template <typename... Args>
void launch_on_cluster(void (*kernel)(Args...), int cluster, std::size_t smem, cudaStream_t s, Args... args) {
  cudaLaunchAttribute attr;
  const cudaLaunchConfig_t cfg = cluster_launch_config(cluster, smem, s, &attr);
  CUDA_CHECK(cudaLaunchKernelEx(&cfg, kernel, args...));
}

template <typename Kernel>
int clusters_that_fit(Kernel kernel, int cluster, std::size_t smem) {
  CUDA_CHECK(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, int(smem)));
  if (cluster > 8) CUDA_CHECK(cudaFuncSetAttribute(kernel, cudaFuncAttributeNonPortableClusterSizeAllowed, 1));
  cudaLaunchAttribute attr;
  const cudaLaunchConfig_t cfg = cluster_launch_config(cluster, smem, nullptr, &attr);
  int n = 0;
  const cudaError_t e = cudaOccupancyMaxActiveClusters(&n, kernel, &cfg);
  if (e != cudaSuccess) {
    (void)cudaGetLastError();
    return 0;
  }
  return n;
}

}  // namespace

int cluster_kernels_fit(const ClusterPlan& plan) {
  return std::min(clusters_that_fit(lstm_cluster_forward_kernel, plan.cluster, plan.smem_forward),
                  clusters_that_fit(lstm_cluster_backward_kernel, plan.cluster, plan.smem_backward));
}

void launch_lstm_cluster_forward(const ClusterPlan& plan, int b, int T, int H, const float* w_hh, const float* b_ih,
                                 const float* b_hh, float* gates, float* h_seq, float* h_prev_seq, float* c_seq,
                                 cudaStream_t s) {
  launch_on_cluster(lstm_cluster_forward_kernel, plan.cluster, plan.smem_forward, s, b, T, H, plan.units_per_block,
                    w_hh, b_ih, b_hh, gates, h_seq, h_prev_seq, c_seq);
}

void launch_lstm_cluster_backward(const ClusterPlan& plan, int b, int T, int H, const float* w_hh, const float* gates,
                                  const float* c_seq, const float* dh_in, int last_only, float* dA, cudaStream_t s) {
  launch_on_cluster(lstm_cluster_backward_kernel, plan.cluster, plan.smem_backward, s, b, T, H, plan.units_per_block,
                    w_hh, gates, c_seq, dh_in, last_only, dA);
}

}  // namespace fedload::kernels::cuda
