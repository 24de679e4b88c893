// The "cpu" backend's LSTM layer: the GEMMs and the gate pointwise work on the run-time chosen
// SIMD build (simd_kernels.hpp), the data gradient of stacked layers on cpu_sgemm (OpenBLAS).
// See lstm_layer.hpp for the layouts.
#include "lstm_layer.hpp"

#include <algorithm>
#include <cstddef>

#include "fedload/kernels/cpu_fast.hpp"

namespace fedload::kernels::cpu_fast {

LstmScratchSizes lstm_scratch_floats(int panel, int I_max, int H, int rows) {
  const auto packed = [panel](std::size_t N, std::size_t K) { return (N + panel - 1) / panel * panel * K; };
  const std::size_t h = static_cast<std::size_t>(H), i = static_cast<std::size_t>(I_max);
  return {4 * h, std::max(packed(4 * h, h), packed(h, 4 * h)), packed(4 * h, i),
          packed(i + h + 1, static_cast<std::size_t>(rows)), 4 * h * (i + h + 1)};
}

void lstm_layer_forward(const SimdKernels& k, const LstmDims& d, const float* x, const LstmParams<float>& p,
                        const LstmScratch& scratch, float* h, float* c, float* gates) {
  const int B = d.B, T = d.T, I = d.I, H = d.H, G = 4 * d.H;
  const std::size_t rows = static_cast<std::size_t>(B) * T;
  for (int r = 0; r < G; ++r) scratch.bias[r] = p.b_ih[r] + p.b_hh[r];
  // a = x W_ih^T + (b_ih + b_hh) for every step at once: [T*B][I] x [I][4H]
  k.pack_panels(true, G, I, p.w_ih, I, scratch.packed_w_ih);
  k.gemm_packed(static_cast<int>(rows), G, I, x, I, scratch.packed_w_ih, scratch.bias, false, gates, G);
  const std::size_t bh = static_cast<std::size_t>(B) * H, bg = static_cast<std::size_t>(B) * G;
  if (T > 1) k.pack_panels(true, G, H, p.w_hh, H, scratch.packed_w_hh);
  for (int t = 0; t < T; ++t) {
    float* gt = gates + t * bg;
    const float* c_prev = nullptr;
    if (t > 0) {
      // a_t += h_{t-1} W_hh^T: [B][H] x [H][4H]
      k.gemm_packed(B, G, H, h + (t - 1) * bh, H, scratch.packed_w_hh, nullptr, true, gt, G);
      c_prev = c + (t - 1) * bh;
    }
    k.cell_forward(B, H, gt, c_prev, c + t * bh, h + t * bh);
  }
}

void lstm_layer_backward(const SimdKernels& k, const LstmDims& d, const float* x, const LstmParams<float>& p,
                         const LstmScratch& scratch, const float* h, const float* c, float* gates, float* dh,
                         float* dc, const LstmParamGrads<float>& g, float* dx) {
  const int B = d.B, T = d.T, I = d.I, H = d.H, G = 4 * d.H;
  const std::size_t bh = static_cast<std::size_t>(B) * H, bg = static_cast<std::size_t>(B) * G;
  std::fill(dc, dc + bh, 0.0f);
  if (T > 1) k.pack_panels(false, H, G, p.w_hh, H, scratch.packed_w_hh);
  for (int t = T - 1; t >= 0; --t) {
    float* gt = gates + t * bg;
    k.cell_backward(B, H, gt, t > 0 ? c + (t - 1) * bh : nullptr, c + t * bh, dh + t * bh, dc);
    // dh_{t-1} += da_t W_hh: [B][4H] x [4H][H]
    if (t > 0) k.gemm_packed(B, H, G, gt, G, scratch.packed_w_hh, nullptr, true, dh + (t - 1) * bh, H);
  }
  const int rows = B * T;
  // [dW_ih | dW_hh | db] = sum over t of da_t^T [x_t | h_{t-1} | 1], h_{-1} = 0: one GEMM over
  // the T*B rows of all steps ([4H][T*B] x [T*B][I + H + 1]), then split into the parameter
  // groups (b_ih and b_hh get the same gradient)
  const int W = I + H + 1;
  std::fill(scratch.dw, scratch.dw + static_cast<std::size_t>(G) * W, 0.0f);
  k.gemm_tn(G, rows, gates, G, ConcatRows{I, x, I, H, h, H, B, true}, scratch.packed_rows, scratch.dw, W);
  for (int r = 0; r < G; ++r) {
    const float* row = scratch.dw + static_cast<std::size_t>(r) * W;
    std::copy(row, row + I, g.w_ih + static_cast<std::size_t>(r) * I);
    std::copy(row + I, row + I + H, g.w_hh + static_cast<std::size_t>(r) * H);
    g.b_ih[r] = row[I + H];
    g.b_hh[r] = row[I + H];
  }
  // dx = da W_ih: [T*B][4H] x [4H][I]
  if (dx) cpu_sgemm(false, false, rows, I, G, 1.0f, gates, G, p.w_ih, I, 0.0f, dx, I);
}

}  // namespace fedload::kernels::cpu_fast
