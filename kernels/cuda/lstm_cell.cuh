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

// One forward step of hidden unit j for samples b0 .. b0+BC-1, done by one whole warp: the lanes
// split the length-H dot products of the unit's four W_hh rows with h_{t-1} (w0 points at gate
// i's row, the next gate's row is gate_stride floats further), so each weight read is reused BC
// times from a register; then lane bb finishes sample b0 + bb with lstm_cell_forward.
// kThroughL2: h_{t-1} was written by other blocks of the same launch (the persistent kernel), so
// it is read through L2 (__ldcg), never from a possibly stale L1 line; otherwise (one step per
// launch) it is read-only for the launch and goes through the read-only cache (__ldg). Every
// lane must call it.
template <int BC, bool kThroughL2>
__device__ __forceinline__ void lstm_unit_step_forward(int B, int T, int H, int t, int j, int b0, int lane,
                                                       const float* __restrict__ w0, std::size_t gate_stride,
                                                       const float* __restrict__ b_ih, const float* __restrict__ b_hh,
                                                       float* __restrict__ gates, float* h_seq,
                                                       float* __restrict__ h_prev_seq, float* __restrict__ c_seq) {
  float acc[4][BC];
#pragma unroll
  for (int k = 0; k < 4; ++k)
#pragma unroll
    for (int bb = 0; bb < BC; ++bb) acc[k][bb] = 0.0f;
  if (t > 0) {
    const float* hrow[BC];
#pragma unroll
    for (int bb = 0; bb < BC; ++bb) hrow[bb] = h_seq + (std::size_t(min(b0 + bb, B - 1)) * T + (t - 1)) * H;
    for (int m = lane; m < H; m += 32) {
      const float w[4] = {w0[m], w0[gate_stride + m], w0[2 * gate_stride + m], w0[3 * gate_stride + m]};
#pragma unroll
      for (int bb = 0; bb < BC; ++bb) {
        const float hv = kThroughL2 ? __ldcg(hrow[bb] + m) : __ldg(hrow[bb] + m);
#pragma unroll
        for (int k = 0; k < 4; ++k) acc[k][bb] = fmaf(w[k], hv, acc[k][bb]);
      }
    }
#pragma unroll
    for (int k = 0; k < 4; ++k)
#pragma unroll
      for (int bb = 0; bb < BC; ++bb) acc[k][bb] = warp_sum(acc[k][bb]);
  }
  // lane bb finishes sample b0 + bb (registers are indexed by compile-time constants only)
  float rec[4] = {0.0f, 0.0f, 0.0f, 0.0f};
#pragma unroll
  for (int bb = 0; bb < BC; ++bb)
    if (lane == bb)
#pragma unroll
      for (int k = 0; k < 4; ++k) rec[k] = acc[k][bb];
  const int b = b0 + lane;
  if (lane >= BC || b >= B) return;
  const std::size_t row = std::size_t(b) * T + t;
  const float c_prev = t > 0 ? c_seq[(row - 1) * H + j] : 0.0f;
  float c;
  const float h = lstm_cell_forward(H, j, rec, b_ih, b_hh, gates + row * 4 * H, c_prev, &c);
  c_seq[row * H + j] = c;
  h_seq[row * H + j] = h;
  if (t + 1 < T) h_prev_seq[(row + 1) * H + j] = h;
  if (t == 0) h_prev_seq[row * H + j] = 0.0f;
}

// What the backward cell update of (b, j) at step t reads from global memory (the layouts of
// the step kernels; dh_in is [b][T][H], or [b][H] for the top layer's last step only when
// last_only). The cluster and register recurrences load it ahead of the step that uses it.
struct CellInputs {
  float i, f, g, o, c, c_prev, dh_ext;
};

__device__ __forceinline__ CellInputs load_cell_inputs(int b, int j, int t, int T, int H, const float* __restrict__ gates,
                                                       const float* __restrict__ c_seq, const float* __restrict__ dh_in,
                                                       int last_only) {
  const std::size_t row = std::size_t(b) * T + t;
  const float* g = gates + row * 4 * H;
  CellInputs in;
  in.i = g[j];
  in.f = g[H + j];
  in.g = g[2 * H + j];
  in.o = g[3 * H + j];
  in.c = c_seq[row * H + j];
  in.c_prev = t > 0 ? c_seq[(row - 1) * H + j] : 0.0f;
  in.dh_ext = !last_only ? dh_in[row * H + j] : (t == T - 1 ? dh_in[std::size_t(b) * H + j] : 0.0f);
  return in;
}

}  // namespace fedload::kernels::cuda
