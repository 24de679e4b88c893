#pragma once
// The LSTM and Linear layer contracts every backend implements; the CPU reference
// (kernels/cpu/reference) is the judge of all others.
//
// Dimension names: B batch, T steps, I inputs, H hidden, O outputs.
//
// LSTM cell, gate order i, f, g, o (the order of PyTorch's nn.LSTM and of cuDNN's
// linLayerID 0..3 / 4..7), for every step t:
//   a_t = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh            (4H values per sample)
//   i = sigmoid(a[0:H])  f = sigmoid(a[H:2H])  g = tanh(a[2H:3H])  o = sigmoid(a[3H:4H])
//   c_t = f * c_{t-1} + i * g
//   h_t = o * tanh(c_t)
// Row-major, batch-major layouts:
//   x [B][T][I]   h_seq, c_seq [B][T][H]   gates [B][T][4H] (post-activation i,f,g,o)
//   h0, c0 [B][H] (nullptr means zeros)
//   w_ih [4H][I]  w_hh [4H][H]  b_ih [4H]  b_hh [4H]
// Linear: y [N][O] = x [N][I] * W^T + b, W [O][I], b [O].
#include <cstddef>

namespace fedload::kernels {

struct LstmDims {
  int B = 0, T = 0, I = 0, H = 0;
};

template <typename S>
struct LstmParams {
  const S* w_ih;
  const S* w_hh;
  const S* b_ih;
  const S* b_hh;
};

template <typename S>
struct LstmParamGrads {
  S* w_ih;
  S* w_hh;
  S* b_ih;
  S* b_hh;
};

}  // namespace fedload::kernels
