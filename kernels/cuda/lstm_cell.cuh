#pragma once
// Device helpers shared by the step and persistent kernels: the gate nonlinearities and the
// warp reduction. expf/tanhf (not the fast intrinsics) keep results within fp32 rounding of
// the CPU reference.

namespace fedload::kernels::cuda {

__device__ __forceinline__ float sigmoidf(float x) { return 1.0f / (1.0f + expf(-x)); }

// every lane ends with the sum over the warp (butterfly)
__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
  for (int off = 16; off > 0; off >>= 1) v += __shfl_xor_sync(0xffffffffu, v, off);
  return v;
}

// The cell update of one (sample, unit) at step t given the recurrent sums rec[k] of the four
// gates. g points at gates[b][t][0] (pre-activation W_ih x on entry, post-activation on exit).
__device__ __forceinline__ float lstm_cell_forward(int H, int j, const float rec[4], const float* b_ih,
                                                   const float* b_hh, float* g, float c_prev, float* c_out) {
  const float ai = g[j] + rec[0] + b_ih[j] + b_hh[j];
  const float af = g[H + j] + rec[1] + b_ih[H + j] + b_hh[H + j];
  const float ag = g[2 * H + j] + rec[2] + b_ih[2 * H + j] + b_hh[2 * H + j];
  const float ao = g[3 * H + j] + rec[3] + b_ih[3 * H + j] + b_hh[3 * H + j];
  const float i = sigmoidf(ai), f = sigmoidf(af), gg = tanhf(ag), o = sigmoidf(ao);
  g[j] = i;
  g[H + j] = f;
  g[2 * H + j] = gg;
  g[3 * H + j] = o;
  const float c = f * c_prev + i * gg;
  *c_out = c;
  return o * tanhf(c);
}

}  // namespace fedload::kernels::cuda
