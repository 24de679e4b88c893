// Hand-written CUDA kernels of the `cuda` backend: the fused recurrent step (forward and
// backward), head bias + loss, gradient norm, optimizers and index copies. The CPU reference
// (kernels/cpu/reference/lstm.cpp) computes the same equations; tests/gpu checks these against it.
#include "lstm_kernels.cuh"

#include <algorithm>

#include "fedload/kernels/cuda_check.hpp"
#include "lstm_cell.cuh"

namespace fedload::kernels::cuda {

namespace {

constexpr int kStepWarps = 4;  // warps (hidden units) per block of the step kernels

// one warp per hidden unit j and chunk of BC samples; lanes split the length-H dot products of
// the four W_hh rows (j, H+j, 2H+j, 3H+j) with h_{t-1}, so every weight read is coalesced and
// reused BC times from a register
template <int BC>
__global__ void __launch_bounds__(kStepWarps * 32)
    lstm_step_forward_kernel(int B, int T, int H, int t, const float* __restrict__ w_hh, const float* __restrict__ b_ih,
                             const float* __restrict__ b_hh, float* __restrict__ gates, float* __restrict__ h_seq,
                             float* __restrict__ h_prev_seq, float* __restrict__ c_seq) {
  const int lane = threadIdx.x & 31;
  const int j = blockIdx.x * kStepWarps + (threadIdx.x >> 5);
  const int b0 = blockIdx.y * BC;
  if (j >= H) return;  // the whole warp: j is the same for its lanes
  // gate k's row of unit j is row k H + j of W_hh [4H][H]
  lstm_unit_step_forward<BC, false>(B, T, H, t, j, b0, lane, w_hh + std::size_t(j) * H, std::size_t(H) * H, b_ih,
                                    b_hh, gates, h_seq, h_prev_seq, c_seq);
}

// backward step t: lanes split the length-4H dot product of row j of W_hh^T with dA[b][t+1]
template <int BC>
__global__ void __launch_bounds__(kStepWarps * 32)
    lstm_step_backward_kernel(int B, int T, int H, int t, const float* __restrict__ w_hhT,
                              const float* __restrict__ gates, const float* __restrict__ c_seq,
                              const float* __restrict__ dh_in, int last_only, float* __restrict__ dc,
                              float* __restrict__ dA) {
  const int lane = threadIdx.x & 31;
  const int j = blockIdx.x * kStepWarps + (threadIdx.x >> 5);
  const int b0 = blockIdx.y * BC;
  if (j >= H) return;
  const int G = 4 * H;
  float acc[BC];
#pragma unroll
  for (int bb = 0; bb < BC; ++bb) acc[bb] = 0.0f;
  if (t + 1 < T) {
    const float* wr = w_hhT + std::size_t(j) * G;
    const float* drow[BC];
#pragma unroll
    for (int bb = 0; bb < BC; ++bb) drow[bb] = dA + (std::size_t(min(b0 + bb, B - 1)) * T + (t + 1)) * G;
    for (int r = lane; r < G; r += 32) {
      const float w = wr[r];
#pragma unroll
      for (int bb = 0; bb < BC; ++bb) acc[bb] = fmaf(w, drow[bb][r], acc[bb]);
    }
#pragma unroll
    for (int bb = 0; bb < BC; ++bb) acc[bb] = warp_sum(acc[bb]);
  }
  float dh = 0.0f;
#pragma unroll
  for (int bb = 0; bb < BC; ++bb)
    if (lane == bb) dh = acc[bb];
  const int b = b0 + lane;
  if (lane >= BC || b >= B) return;
  const std::size_t row = std::size_t(b) * T + t;
  if (!last_only)
    dh += dh_in[row * H + j];
  else if (t == T - 1)
    dh += dh_in[std::size_t(b) * H + j];
  const float* g = gates + row * G;
  const float i = g[j], f = g[H + j], gg = g[2 * H + j], o = g[3 * H + j];
  const float c = c_seq[row * H + j];
  const float c_prev = t > 0 ? c_seq[(row - 1) * H + j] : 0.0f;
  const float tc = tanhf(c);
  const float dc_next = t == T - 1 ? 0.0f : dc[std::size_t(b) * H + j];
  const float dcc = dc_next + dh * o * (1.0f - tc * tc);
  dc[std::size_t(b) * H + j] = dcc * f;
  float* d = dA + row * G;
  d[j] = dcc * gg * i * (1.0f - i);
  d[H + j] = dcc * c_prev * f * (1.0f - f);
  d[2 * H + j] = dcc * i * (1.0f - gg * gg);
  d[3 * H + j] = dh * tc * o * (1.0f - o);
}

constexpr int kHeadThreads = 256;

__global__ void head_loss_kernel(int n, int O, float* __restrict__ yhat, const float* __restrict__ bias,
                                 const float* __restrict__ y, float* __restrict__ dyhat, float* __restrict__ dbias,
                                 double* __restrict__ loss, int kind) {
  __shared__ double partial[kHeadThreads];
  const int total = n * O;
  const float inv = 1.0f / float(total);
  double sum = 0.0;
  for (int k = threadIdx.x; k < total; k += blockDim.x) {
    const float v = yhat[k] + bias[k % O];
    yhat[k] = v;
    if (y) {
      const float diff = v - y[k];
      if (kind == 0) {
        sum += double(diff) * double(diff);
        dyhat[k] = 2.0f * diff * inv;
      } else {
        sum += fabs(double(diff));
        dyhat[k] = (diff > 0.0f ? 1.0f : (diff < 0.0f ? -1.0f : 0.0f)) * inv;
      }
    }
  }
  if (!y) return;
  partial[threadIdx.x] = sum;
  __syncthreads();
  for (int s = blockDim.x / 2; s > 0; s >>= 1) {
    if (threadIdx.x < s) partial[threadIdx.x] += partial[threadIdx.x + s];
    __syncthreads();
  }
  if (threadIdx.x == 0) *loss = partial[0] / double(total);
  if (dbias) {
    for (int o = threadIdx.x; o < O; o += blockDim.x) {
      float s = 0.0f;
      for (int r = 0; r < n; ++r) s += dyhat[std::size_t(r) * O + o];
      dbias[o] = s;
    }
  }
}

__global__ void sum_squares_kernel(std::size_t n, const float* __restrict__ g, double* __restrict__ out) {
  __shared__ double partial[256];
  double s = 0.0;
  for (std::size_t k = blockIdx.x * std::size_t(blockDim.x) + threadIdx.x; k < n; k += std::size_t(gridDim.x) * blockDim.x)
    s += double(g[k]) * double(g[k]);
  partial[threadIdx.x] = s;
  __syncthreads();
  for (int w = blockDim.x / 2; w > 0; w >>= 1) {
    if (threadIdx.x < w) partial[threadIdx.x] += partial[threadIdx.x + w];
    __syncthreads();
  }
  if (threadIdx.x == 0) atomicAdd(out, partial[0]);
}

// FedProx: the proximal term's gradient joins the loss's before the norm is taken for clipping
__global__ void add_prox_kernel(std::size_t n, float* __restrict__ g, const float* __restrict__ p,
                                const float* __restrict__ center, float mu) {
  for (std::size_t k = blockIdx.x * std::size_t(blockDim.x) + threadIdx.x; k < n; k += std::size_t(gridDim.x) * blockDim.x)
    g[k] += mu * (p[k] - center[k]);
}

__device__ __forceinline__ float clip_coef(const double* sumsq, float max_norm) {
  if (!sumsq) return 1.0f;
  const double coef = double(max_norm) / (sqrt(*sumsq) + 1e-6);
  return coef < 1.0 ? float(coef) : 1.0f;
}

__global__ void adam_kernel(std::size_t n, float* __restrict__ p, float* __restrict__ g, float* __restrict__ m,
                            float* __restrict__ v, float step_size, float sqrt_bc2, float b1, float b2, float eps,
                            float wd, const double* __restrict__ sumsq, float max_norm) {
  const float coef = clip_coef(sumsq, max_norm);
  for (std::size_t k = blockIdx.x * std::size_t(blockDim.x) + threadIdx.x; k < n; k += std::size_t(gridDim.x) * blockDim.x) {
    float gk = g[k];
    if (coef < 1.0f) g[k] = gk = gk * coef;
    const float gw = gk + wd * p[k];
    const float mk = b1 * m[k] + (1.0f - b1) * gw;
    const float vk = b2 * v[k] + (1.0f - b2) * gw * gw;
    m[k] = mk;
    v[k] = vk;
    p[k] -= step_size * mk / (sqrtf(vk) / sqrt_bc2 + eps);
  }
}

__global__ void sgd_kernel(std::size_t n, float* __restrict__ p, float* __restrict__ g, float* __restrict__ buf, float lr,
                           float momentum, int first, float wd, const double* __restrict__ sumsq, float max_norm) {
  const float coef = clip_coef(sumsq, max_norm);
  for (std::size_t k = blockIdx.x * std::size_t(blockDim.x) + threadIdx.x; k < n; k += std::size_t(gridDim.x) * blockDim.x) {
    float gk = g[k];
    if (coef < 1.0f) g[k] = gk = gk * coef;
    float step = gk + wd * p[k];
    if (momentum != 0.0f) {
      step = first ? step : momentum * buf[k] + step;
      buf[k] = step;
    }
    p[k] -= lr * step;
  }
}

__global__ void scatter_kernel(std::size_t n, const float* __restrict__ src, const std::int64_t* __restrict__ index,
                               float* __restrict__ dst) {
  for (std::size_t k = blockIdx.x * std::size_t(blockDim.x) + threadIdx.x; k < n; k += std::size_t(gridDim.x) * blockDim.x)
    dst[index[k]] = src[k];
}

__global__ void gather_kernel(std::size_t n, const float* __restrict__ src, const std::int64_t* __restrict__ index,
                              float* __restrict__ dst) {
  for (std::size_t k = blockIdx.x * std::size_t(blockDim.x) + threadIdx.x; k < n; k += std::size_t(gridDim.x) * blockDim.x)
    dst[k] = src[index[k]];
}

__global__ void fill_kernel(std::size_t n, float value, float* __restrict__ dst) {
  for (std::size_t k = blockIdx.x * std::size_t(blockDim.x) + threadIdx.x; k < n; k += std::size_t(gridDim.x) * blockDim.x)
    dst[k] = value;
}

// grid of an elementwise kernel: enough blocks to fill the chip, grid-stride beyond that
unsigned elementwise_blocks(std::size_t n) {
  return static_cast<unsigned>(std::clamp<std::size_t>((n + 255) / 256, 1, 1024));
}

template <int BC>
void step_forward(int b, int T, int H, int t, const float* w_hh, const float* b_ih, const float* b_hh, float* gates,
                  float* h_seq, float* h_prev_seq, float* c_seq, cudaStream_t s) {
  const dim3 grid((H + kStepWarps - 1) / kStepWarps, (b + BC - 1) / BC);
  lstm_step_forward_kernel<BC><<<grid, kStepWarps * 32, 0, s>>>(b, T, H, t, w_hh, b_ih, b_hh, gates, h_seq, h_prev_seq, c_seq);
  CUDA_CHECK_LAUNCH();
}

template <int BC>
void step_backward(int b, int T, int H, int t, const float* w_hhT, const float* gates, const float* c_seq,
                   const float* dh_in, int last_only, float* dc, float* dA, cudaStream_t s) {
  const dim3 grid((H + kStepWarps - 1) / kStepWarps, (b + BC - 1) / BC);
  lstm_step_backward_kernel<BC><<<grid, kStepWarps * 32, 0, s>>>(b, T, H, t, w_hhT, gates, c_seq, dh_in, last_only, dc, dA);
  CUDA_CHECK_LAUNCH();
}

}  // namespace

void launch_lstm_step_forward(int b, int T, int H, int t, const float* w_hh, const float* b_ih, const float* b_hh,
                              float* gates, float* h_seq, float* h_prev_seq, float* c_seq, cudaStream_t s) {
  switch (step_batch_chunk(b)) {
    case 8: return step_forward<8>(b, T, H, t, w_hh, b_ih, b_hh, gates, h_seq, h_prev_seq, c_seq, s);
    case 4: return step_forward<4>(b, T, H, t, w_hh, b_ih, b_hh, gates, h_seq, h_prev_seq, c_seq, s);
    case 2: return step_forward<2>(b, T, H, t, w_hh, b_ih, b_hh, gates, h_seq, h_prev_seq, c_seq, s);
    default: return step_forward<1>(b, T, H, t, w_hh, b_ih, b_hh, gates, h_seq, h_prev_seq, c_seq, s);
  }
}

void launch_lstm_step_backward(int b, int T, int H, int t, const float* w_hhT, const float* gates, const float* c_seq,
                               const float* dh_in, int last_only, float* dc, float* dA, cudaStream_t s) {
  switch (step_batch_chunk(b)) {
    case 8: return step_backward<8>(b, T, H, t, w_hhT, gates, c_seq, dh_in, last_only, dc, dA, s);
    case 4: return step_backward<4>(b, T, H, t, w_hhT, gates, c_seq, dh_in, last_only, dc, dA, s);
    case 2: return step_backward<2>(b, T, H, t, w_hhT, gates, c_seq, dh_in, last_only, dc, dA, s);
    default: return step_backward<1>(b, T, H, t, w_hhT, gates, c_seq, dh_in, last_only, dc, dA, s);
  }
}

void launch_head_loss(int n, int O, float* yhat, const float* bias, const float* y, float* dyhat, float* dbias,
                      double* loss, int kind, cudaStream_t s) {
  head_loss_kernel<<<1, kHeadThreads, 0, s>>>(n, O, yhat, bias, y, dyhat, dbias, loss, kind);
  CUDA_CHECK_LAUNCH();
}

void launch_sum_squares(std::size_t n, const float* g, double* sumsq, cudaStream_t s) {
  sum_squares_kernel<<<elementwise_blocks(n), 256, 0, s>>>(n, g, sumsq);
  CUDA_CHECK_LAUNCH();
}

void launch_add_prox(std::size_t n, float* g, const float* p, const float* center, float mu, cudaStream_t s) {
  add_prox_kernel<<<elementwise_blocks(n), 256, 0, s>>>(n, g, p, center, mu);
  CUDA_CHECK_LAUNCH();
}

void launch_adam(std::size_t n, float* p, float* g, float* m, float* v, float step_size, float sqrt_bc2, float b1,
                 float b2, float eps, float wd, const double* sumsq, float max_norm, cudaStream_t s) {
  adam_kernel<<<elementwise_blocks(n), 256, 0, s>>>(n, p, g, m, v, step_size, sqrt_bc2, b1, b2, eps, wd, sumsq, max_norm);
  CUDA_CHECK_LAUNCH();
}

void launch_sgd(std::size_t n, float* p, float* g, float* buf, float lr, float momentum, int first, float wd,
                const double* sumsq, float max_norm, cudaStream_t s) {
  sgd_kernel<<<elementwise_blocks(n), 256, 0, s>>>(n, p, g, buf, lr, momentum, first, wd, sumsq, max_norm);
  CUDA_CHECK_LAUNCH();
}

void launch_scatter(std::size_t n, const float* src, const std::int64_t* index, float* dst, cudaStream_t s) {
  scatter_kernel<<<elementwise_blocks(n), 256, 0, s>>>(n, src, index, dst);
  CUDA_CHECK_LAUNCH();
}

void launch_gather(std::size_t n, const float* src, const std::int64_t* index, float* dst, cudaStream_t s) {
  gather_kernel<<<elementwise_blocks(n), 256, 0, s>>>(n, src, index, dst);
  CUDA_CHECK_LAUNCH();
}

void launch_fill(std::size_t n, float value, float* dst, cudaStream_t s) {
  fill_kernel<<<elementwise_blocks(n), 256, 0, s>>>(n, value, dst);
  CUDA_CHECK_LAUNCH();
}

}  // namespace fedload::kernels::cuda
