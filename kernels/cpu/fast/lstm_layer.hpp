#pragma once
// One LSTM layer of the "cpu" backend over TIME-MAJOR buffers, with zero initial state:
//   x [T][B][I]   h, c [T][B][H]   gates [T][B][4H]   dh [T][B][H]   dx [T][B][I]
// Time-major keeps each step's rows contiguous: the recurrent GEMM of step t reads h_{t-1} as
// one [B][H] matrix and writes gates_t as one [B][4H] matrix, and the GEMMs over all steps
// (input projection, weight gradients, dx) see [T*B] rows with no gather. Parameters and their
// gradients are in lstm.hpp's layout (w_ih [4H][I], w_hh [4H][H]).
#include <cstddef>

#include "fedload/kernels/lstm.hpp"
#include "simd_kernels.hpp"

namespace fedload::kernels::cpu_fast {

// Scratch of both passes, sized by lstm_scratch_floats for the largest input width I_max of
// any layer and rows = B*T: the summed bias (4H), W_hh packed for the per-step GEMMs, W_ih^T
// packed for the input projection, [x_t | h_{t-1} | 1] of all steps packed for the weight
// gradient GEMM, and [dW_ih | dW_hh | db] ([4H][I_max + H + 1]) before it is split into place.
struct LstmScratch {
  float* bias;
  float* packed_w_hh;
  float* packed_w_ih;
  float* packed_rows;
  float* dw;
};
struct LstmScratchSizes {
  std::size_t bias, packed_w_hh, packed_w_ih, packed_rows, dw;
  std::size_t total() const { return bias + packed_w_hh + packed_w_ih + packed_rows + dw; }
};
LstmScratchSizes lstm_scratch_floats(int panel, int I_max, int H, int rows);

// Forward over T steps: the input projection of all steps as one GEMM with b_ih + b_hh, then
// per step the recurrent GEMM into gates_t (W_hh^T packed once for all steps) and the fused
// cell update. gates holds the activations i, f, g, o on return.
void lstm_layer_forward(const SimdKernels& k, const LstmDims& d, const float* x, const LstmParams<float>& p,
                        const LstmScratch& scratch, float* h, float* c, float* gates);

// Backward through time after lstm_layer_forward on the same x and parameters. dh is the
// gradient into every h_t from above and is used as the working buffer (each dh_{t-1} gains
// da_t W_hh). gates is overwritten by the pre-activation gradients da. dc is [B][H] scratch.
// Gradients g are OVERWRITTEN: [dW_ih | dW_hh | db] = da^T [x_t | h_{t-1} | 1] by one GEMM
// over all steps. dx (nullptr: not wanted) is overwritten by da W_ih (OpenBLAS: a large
// regular GEMM, where it pays).
void lstm_layer_backward(const SimdKernels& k, const LstmDims& d, const float* x, const LstmParams<float>& p,
                         const LstmScratch& scratch, const float* h, const float* c, float* gates, float* dh,
                         float* dc, const LstmParamGrads<float>& g, float* dx);

}  // namespace fedload::kernels::cpu_fast
