// `cuda_register`: a layer's whole forward recurrence, and then its whole backward recurrence,
// with W_hh held in REGISTERS for all T steps (see plan_register_lstm). The batch is split into
// independent slices, one CTA (H <= 64) or one cluster of 2 CTAs (H <= 128) per slice; slices
// never wait for each other. Inside a slice, per step:
//   forward:  lane s of unit j holds the columns m = 4 (s + 8 i) + q of j's 4 gate rows; the 8
//             lanes of a unit (one warp holds 4 units, all their gate rows) multiply them with
//             h_{t-1} from shared memory, sum by shuffles, and lane s finishes sample s of the
//             slice (nonlinearities, cell update) and stores h_t into shared memory, of both CTAs
//             when the slice is a cluster (distributed shared memory);
//   backward: the same with W_hh^T: lane s of unit j holds W_hh[k H + m][j] for the same m and
//             every gate k, multiplies them with dA_{t+1} from shared memory, and lane s
//             finishes dL/dh_t and dA_t of sample s and stores dA_t into shared memory.
// One barrier per step (__syncthreads, or the hardware cluster barrier split into arrive/wait
// with the global stores and the next step's loads in between); h_t / dA_t are double-buffered
// by step parity so one barrier is enough. The global outputs (gates, h_seq, h_prev_seq, c_seq;
// dA) are those of the step kernels, so the weight-gradient products are shared with `cuda`.
// Padding units and columns (H < HP) have zero weights and a zero h / dA that is never written.
//
// Never run on a GPU yet (written on a machine without one): tests/gpu/gpu_backend_test.cpp
// holds the cases that must pass first.
#include <cooperative_groups.h>

#include <algorithm>

#include "fedload/kernels/cuda_check.hpp"
#include "lstm_cell.cuh"
#include "lstm_kernels.cuh"

namespace cg = cooperative_groups;

namespace fedload::kernels::cuda {

namespace {

constexpr int kLanes = kRegisterLanesPerUnit;  // lanes per hidden unit (8: 4 units per warp)

// end of a step: with a cluster, arrive (release: this CTA's DSMEM stores become visible to the
// cluster) ... wait (acquire); work nobody waits for goes in between. Without one, the CTA
// barrier at the wait.
template <int C>
__device__ __forceinline__ void step_arrive() {
  if constexpr (C > 1) asm volatile("barrier.cluster.arrive.release.aligned;\n" ::: "memory");
}
template <int C>
__device__ __forceinline__ void step_wait() {
  if constexpr (C > 1)
    asm volatile("barrier.cluster.wait.acquire.aligned;\n" ::: "memory");
  else
    __syncthreads();
}
template <int C>
__device__ __forceinline__ void slice_sync() {
  if constexpr (C > 1)
    cg::this_cluster().sync();  // also: every CTA of the cluster runs before any DSMEM store
  else
    __syncthreads();
}

// v into element idx of the shared array `local` of every CTA of the slice
template <int C>
__device__ __forceinline__ void store_to_slice(float* local, int idx, float v) {
  if constexpr (C > 1) {
    cg::cluster_group cluster = cg::this_cluster();
#pragma unroll
    for (int r = 0; r < C; ++r) cluster.map_shared_rank(local, r)[idx] = v;
  } else {
    local[idx] = v;
  }
}

// sum over the 8 lanes of a unit (lanes 8u .. 8u+7 of the warp); every lane of the warp calls it
__device__ __forceinline__ float unit_sum(float v) {
  v += __shfl_xor_sync(0xffffffffu, v, 1);
  v += __shfl_xor_sync(0xffffffffu, v, 2);
  v += __shfl_xor_sync(0xffffffffu, v, 4);
  return v;
}

// where this thread sits: slice, CTA rank in the slice, unit j (may be padding) and lane s
struct Place {
  int b0, nb, j, s;
};
template <int HP, int C>
__device__ __forceinline__ Place place(int B, int Bs) {
  Place p;
  int rank = 0;
  if constexpr (C > 1) rank = int(cg::this_cluster().block_rank());
  p.b0 = int(blockIdx.x / C) * Bs;
  p.nb = min(Bs, B - p.b0);
  p.j = rank * (HP / C) + int(threadIdx.x) / kLanes;
  p.s = int(threadIdx.x) % kLanes;
  return p;
}

// column of weight (i, q) of lane s: 4 consecutive columns per float4 of h (or dA) read from
// shared memory; the 8 lanes of a unit read 8 consecutive float4s, no bank conflict
__device__ __forceinline__ int column(int s, int i, int q) { return 4 * (s + kLanes * i) + q; }

template <int HP, int C, int BC>
__global__ void __launch_bounds__(HP / C * kLanes, 1)
    lstm_register_forward_kernel(int B, int T, int H, int Bs, const float* __restrict__ w_hh,
                                 const float* __restrict__ b_ih, const float* __restrict__ b_hh,
                                 float* __restrict__ gates, float* __restrict__ h_seq, float* __restrict__ h_prev_seq,
                                 float* __restrict__ c_seq) {
  constexpr int NI = HP / (4 * kLanes);
  __shared__ __align__(16) float hbuf[2][BC][HP];  // h_{t} of every unit, by step parity
  const Place p = place<HP, C>(B, Bs);
  const int j = p.j, s = p.s, G = 4 * H;
  // W_hh rows k H + j, columns column(s, i, q): zero outside H x H
  float w[4][NI][4];
#pragma unroll
  for (int k = 0; k < 4; ++k)
#pragma unroll
    for (int i = 0; i < NI; ++i)
#pragma unroll
      for (int q = 0; q < 4; ++q) {
        const int m = column(s, i, q);
        w[k][i][q] = j < H && m < H ? w_hh[(std::size_t(k) * H + j) * H + m] : 0.0f;
      }
  for (int idx = threadIdx.x; idx < 2 * BC * HP; idx += blockDim.x) (&hbuf[0][0][0])[idx] = 0.0f;
  // this lane finishes sample b of unit j at every step
  const bool cell = s < p.nb && j < H;
  const int b = p.b0 + s;
  float bias[4] = {0.0f, 0.0f, 0.0f, 0.0f}, x[4] = {0.0f, 0.0f, 0.0f, 0.0f}, c = 0.0f;
  if (cell) {
#pragma unroll
    for (int k = 0; k < 4; ++k) {
      bias[k] = b_ih[k * H + j] + b_hh[k * H + j];
      x[k] = gates[std::size_t(b) * T * G + k * H + j];  // W_ih x_0
    }
  }
  slice_sync<C>();
  for (int t = 0; t < T; ++t) {
    const float(*hp)[HP] = hbuf[(t + 1) & 1];  // h_{t-1}
    float acc[BC][4];
#pragma unroll
    for (int bb = 0; bb < BC; ++bb)
#pragma unroll
      for (int k = 0; k < 4; ++k) acc[bb][k] = 0.0f;
    if (t > 0) {
#pragma unroll
      for (int i = 0; i < NI; ++i)
#pragma unroll
        for (int bb = 0; bb < BC; ++bb) {
          const float4 h4 = *reinterpret_cast<const float4*>(&hp[bb][column(s, i, 0)]);
#pragma unroll
          for (int k = 0; k < 4; ++k) {
            acc[bb][k] = fmaf(w[k][i][0], h4.x, acc[bb][k]);
            acc[bb][k] = fmaf(w[k][i][1], h4.y, acc[bb][k]);
            acc[bb][k] = fmaf(w[k][i][2], h4.z, acc[bb][k]);
            acc[bb][k] = fmaf(w[k][i][3], h4.w, acc[bb][k]);
          }
        }
#pragma unroll
      for (int bb = 0; bb < BC; ++bb)
#pragma unroll
        for (int k = 0; k < 4; ++k) acc[bb][k] = unit_sum(acc[bb][k]);
    }
    // lane s takes sample s's sums (registers are indexed by compile-time constants only)
    float rec[4] = {0.0f, 0.0f, 0.0f, 0.0f};
#pragma unroll
    for (int bb = 0; bb < BC; ++bb)
      if (s == bb)
#pragma unroll
        for (int k = 0; k < 4; ++k) rec[k] = acc[bb][k];
    // the equations of lstm_cell_forward, the two biases folded into one sum
    float gi = 0.0f, gf = 0.0f, gg = 0.0f, go = 0.0f, h = 0.0f;
    if (cell) {
      gi = sigmoidf(x[0] + rec[0] + bias[0]);
      gf = sigmoidf(x[1] + rec[1] + bias[1]);
      gg = tanhf(x[2] + rec[2] + bias[2]);
      go = sigmoidf(x[3] + rec[3] + bias[3]);
      c = gf * c + gi * gg;
      h = go * tanhf(c);
      store_to_slice<C>(&hbuf[t & 1][0][0], s * HP + j, h);
    }
    step_arrive<C>();
    if (cell) {
      const std::size_t row = std::size_t(b) * T + t;
      gates[row * G + j] = gi;
      gates[row * G + H + j] = gf;
      gates[row * G + 2 * H + j] = gg;
      gates[row * G + 3 * H + j] = go;
      c_seq[row * H + j] = c;
      h_seq[row * H + j] = h;
      if (t == 0) h_prev_seq[row * H + j] = 0.0f;
      if (t + 1 < T) {
        h_prev_seq[(row + 1) * H + j] = h;
#pragma unroll
        for (int k = 0; k < 4; ++k) x[k] = gates[(row + 1) * G + k * H + j];
      }
    }
    // h_t is in every CTA of the slice before step t+1 reads it; step t+1 writes the other
    // buffer, which every thread finished reading (h_{t-1}) before this barrier
    step_wait<C>();
  }
}

template <int HP, int C, int BC>
__global__ void __launch_bounds__(HP / C * kLanes, 1)
    lstm_register_backward_kernel(int B, int T, int H, int Bs, const float* __restrict__ w_hh,
                                  const float* __restrict__ gates, const float* __restrict__ c_seq,
                                  const float* __restrict__ dh_in, int last_only, float* __restrict__ dA) {
  constexpr int NI = HP / (4 * kLanes);
  __shared__ __align__(16) float dbuf[2][BC][4][HP];  // dA_t of every unit and gate, by step parity
  const Place p = place<HP, C>(B, Bs);
  const int j = p.j, s = p.s, G = 4 * H;
  // W_hh^T: w[k][i][q] = W_hh[k H + m][j], m = column(s, i, q): zero outside H x H. (Written out
  // like the forward's on purpose: one shared inlined loader made ptxas spill 4-28 bytes in the
  // H <= 128 backward kernels, which use all 128 registers a 512-thread CTA may have.)
  float w[4][NI][4];
#pragma unroll
  for (int k = 0; k < 4; ++k)
#pragma unroll
    for (int i = 0; i < NI; ++i)
#pragma unroll
      for (int q = 0; q < 4; ++q) {
        const int m = column(s, i, q);
        w[k][i][q] = j < H && m < H ? w_hh[(std::size_t(k) * H + m) * H + j] : 0.0f;
      }
  for (int idx = threadIdx.x; idx < 2 * BC * 4 * HP; idx += blockDim.x) (&dbuf[0][0][0][0])[idx] = 0.0f;
  const bool cell = s < p.nb && j < H;
  const int b = p.b0 + s;
  CellInputs in{};
  if (cell) in = load_cell_inputs(b, j, T - 1, T, H, gates, c_seq, dh_in, last_only);
  float dc = 0.0f;  // dL/dc_t carried from step t+1 (zero at t = T-1)
  slice_sync<C>();
  for (int t = T - 1; t >= 0; --t) {
    const float(*dp)[4][HP] = dbuf[(t + 1) & 1];  // dA_{t+1}
    float sum[BC];
#pragma unroll
    for (int bb = 0; bb < BC; ++bb) sum[bb] = 0.0f;
    if (t + 1 < T) {
      float acc[BC][4];
#pragma unroll
      for (int bb = 0; bb < BC; ++bb)
#pragma unroll
        for (int k = 0; k < 4; ++k) acc[bb][k] = 0.0f;
#pragma unroll
      for (int i = 0; i < NI; ++i)
#pragma unroll
        for (int bb = 0; bb < BC; ++bb)
#pragma unroll
          for (int k = 0; k < 4; ++k) {
            const float4 d4 = *reinterpret_cast<const float4*>(&dp[bb][k][column(s, i, 0)]);
            acc[bb][k] = fmaf(w[k][i][0], d4.x, acc[bb][k]);
            acc[bb][k] = fmaf(w[k][i][1], d4.y, acc[bb][k]);
            acc[bb][k] = fmaf(w[k][i][2], d4.z, acc[bb][k]);
            acc[bb][k] = fmaf(w[k][i][3], d4.w, acc[bb][k]);
          }
#pragma unroll
      for (int bb = 0; bb < BC; ++bb) sum[bb] = unit_sum((acc[bb][0] + acc[bb][1]) + (acc[bb][2] + acc[bb][3]));
    }
    float rec = 0.0f;
#pragma unroll
    for (int bb = 0; bb < BC; ++bb)
      if (s == bb) rec = sum[bb];
    // the equations of the backward step kernel
    float d[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    if (cell) {
      const float dh = rec + in.dh_ext;
      const float tc = tanhf(in.c);
      const float dcc = dc + dh * in.o * (1.0f - tc * tc);
      dc = dcc * in.f;
      d[0] = dcc * in.g * in.i * (1.0f - in.i);
      d[1] = dcc * in.c_prev * in.f * (1.0f - in.f);
      d[2] = dcc * in.i * (1.0f - in.g * in.g);
      d[3] = dh * tc * in.o * (1.0f - in.o);
#pragma unroll
      for (int k = 0; k < 4; ++k) store_to_slice<C>(&dbuf[t & 1][0][0][0], (s * 4 + k) * HP + j, d[k]);
    }
    step_arrive<C>();
    if (cell) {
      float* out = dA + (std::size_t(b) * T + t) * G;
#pragma unroll
      for (int k = 0; k < 4; ++k) out[k * H + j] = d[k];
      if (t > 0) in = load_cell_inputs(b, j, t - 1, T, H, gates, c_seq, dh_in, last_only);
    }
    step_wait<C>();
  }
}

// ctas CTAs in 1-D clusters of C (no cluster attribute when C = 1)
template <int C, typename... KernelArgs, typename... Args>
void launch_slices(void (*kernel)(KernelArgs...), int ctas, int threads, cudaStream_t s, Args... args) {
  cudaLaunchConfig_t cfg = {};
  cfg.gridDim = dim3(ctas);
  cfg.blockDim = dim3(threads);
  cfg.dynamicSmemBytes = 0;
  cfg.stream = s;
  cudaLaunchAttribute attr;
  attr.id = cudaLaunchAttributeClusterDimension;
  attr.val.clusterDim.x = C;
  attr.val.clusterDim.y = 1;
  attr.val.clusterDim.z = 1;
  cfg.attrs = &attr;
  cfg.numAttrs = C > 1 ? 1 : 0;
  CUDA_CHECK(cudaLaunchKernelEx(&cfg, kernel, args...));
}

// how many slices of this kernel the device holds at once (0: it cannot run here)
template <int C, typename Kernel>
int slices_that_fit(Kernel kernel, int threads) {
  int n = 0;
  cudaError_t e;
  if constexpr (C > 1) {
    cudaLaunchConfig_t cfg = {};
    cfg.gridDim = dim3(C);
    cfg.blockDim = dim3(threads);
    cudaLaunchAttribute attr;
    attr.id = cudaLaunchAttributeClusterDimension;
    attr.val.clusterDim.x = C;
    attr.val.clusterDim.y = 1;
    attr.val.clusterDim.z = 1;
    cfg.attrs = &attr;
    cfg.numAttrs = 1;
    e = cudaOccupancyMaxActiveClusters(&n, kernel, &cfg);
  } else {
    e = cudaOccupancyMaxActiveBlocksPerMultiprocessor(&n, kernel, threads, 0);
  }
  if (e != cudaSuccess) {
    (void)cudaGetLastError();
    return 0;
  }
  return n;
}

template <int HP, int C, int BC>
void forward(const RegisterPlan& plan, int b, int T, int H, const float* w_hh, const float* b_ih, const float* b_hh,
             float* gates, float* h_seq, float* h_prev_seq, float* c_seq, cudaStream_t s) {
  launch_slices<C>(lstm_register_forward_kernel<HP, C, BC>, register_slices(plan, b) * C, plan.threads, s, b, T, H,
                   plan.slice_batch, w_hh, b_ih, b_hh, gates, h_seq, h_prev_seq, c_seq);
}

template <int HP, int C, int BC>
void backward(const RegisterPlan& plan, int b, int T, int H, const float* w_hh, const float* gates,
              const float* c_seq, const float* dh_in, int last_only, float* dA, cudaStream_t s) {
  launch_slices<C>(lstm_register_backward_kernel<HP, C, BC>, register_slices(plan, b) * C, plan.threads, s, b, T, H,
                   plan.slice_batch, w_hh, gates, c_seq, dh_in, last_only, dA);
}

template <int HP, int C, int BC>
int fit(const RegisterPlan& plan) {
  return std::min(slices_that_fit<C>(lstm_register_forward_kernel<HP, C, BC>, plan.threads),
                  slices_that_fit<C>(lstm_register_backward_kernel<HP, C, BC>, plan.threads));
}

// the kernels of one (bucket, cluster, batch chunk) instantiation
struct Variant {
  void (*forward)(const RegisterPlan&, int, int, int, const float*, const float*, const float*, float*, float*, float*,
                  float*, cudaStream_t);
  void (*backward)(const RegisterPlan&, int, int, int, const float*, const float*, const float*, const float*, int,
                   float*, cudaStream_t);
  int (*fit)(const RegisterPlan&);
};
template <int HP, int C, int BC>
Variant variant() {
  return {forward<HP, C, BC>, backward<HP, C, BC>, fit<HP, C, BC>};
}

Variant variant_for(const RegisterPlan& plan) {
  switch (plan.bucket * 10 + plan.batch_chunk) {
    case 321: return variant<32, 1, 1>();
    case 322: return variant<32, 1, 2>();
    case 324: return variant<32, 1, 4>();
    case 641: return variant<64, 1, 1>();
    case 642: return variant<64, 1, 2>();
    case 644: return variant<64, 1, 4>();
    case 1281: return variant<128, 2, 1>();
    case 1282: return variant<128, 2, 2>();
    case 1284: return variant<128, 2, 4>();
    default: break;
  }
  throw_runtime_error("cuda_register: no kernel for bucket {} and batch chunk {}", plan.bucket, plan.batch_chunk);
}

}  // namespace

int register_kernels_fit(const RegisterPlan& plan) { return variant_for(plan).fit(plan); }

void launch_lstm_register_forward(const RegisterPlan& plan, int b, int T, int H, const float* w_hh, const float* b_ih,
                                  const float* b_hh, float* gates, float* h_seq, float* h_prev_seq, float* c_seq,
                                  cudaStream_t s) {
  variant_for(plan).forward(plan, b, T, H, w_hh, b_ih, b_hh, gates, h_seq, h_prev_seq, c_seq, s);
}

void launch_lstm_register_backward(const RegisterPlan& plan, int b, int T, int H, const float* w_hh,
                                   const float* gates, const float* c_seq, const float* dh_in, int last_only,
                                   float* dA, cudaStream_t s) {
  variant_for(plan).backward(plan, b, T, H, w_hh, gates, c_seq, dh_in, last_only, dA, s);
}

}  // namespace fedload::kernels::cuda
