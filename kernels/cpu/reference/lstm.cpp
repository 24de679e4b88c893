// Reference LSTM forward and backward through time: one sample, one step, one gate row at a
// time, in the order the equations of lstm.hpp are written.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "fedload/kernels/reference.hpp"

namespace fedload::kernels {
namespace {

template <typename S>
S sigmoid(S a) {
  return S(1) / (S(1) + std::exp(-a));
}

}  // namespace

template <typename S>
void lstm_forward_reference(const LstmDims& d, const S* x, const LstmParams<S>& p, const S* h0,
                            const S* c0, S* h_seq, S* c_seq, S* gates) {
  const int B = d.B, T = d.T, I = d.I, H = d.H;
  std::vector<S> a(4 * static_cast<std::size_t>(H));
  for (int b = 0; b < B; ++b) {
    for (int t = 0; t < T; ++t) {
      const S* xt = x + (static_cast<std::size_t>(b) * T + t) * I;
      // h_{t-1}, c_{t-1}: the previous step's state, or the initial state at t = 0
      const S* hp = t > 0 ? h_seq + (static_cast<std::size_t>(b) * T + t - 1) * H
                          : (h0 ? h0 + static_cast<std::size_t>(b) * H : nullptr);
      const S* cp = t > 0 ? c_seq + (static_cast<std::size_t>(b) * T + t - 1) * H
                          : (c0 ? c0 + static_cast<std::size_t>(b) * H : nullptr);
      for (int r = 0; r < 4 * H; ++r) {
        S s = p.b_ih[r] + p.b_hh[r];
        for (int k = 0; k < I; ++k) s += p.w_ih[static_cast<std::size_t>(r) * I + k] * xt[k];
        if (hp) {
          for (int k = 0; k < H; ++k) s += p.w_hh[static_cast<std::size_t>(r) * H + k] * hp[k];
        }
        a[r] = s;
      }
      const std::size_t bt = static_cast<std::size_t>(b) * T + t;
      S* gt = gates + bt * 4 * H;
      S* ct = c_seq + bt * H;
      S* ht = h_seq + bt * H;
      for (int j = 0; j < H; ++j) {
        const S i = sigmoid(a[j]);
        const S f = sigmoid(a[H + j]);
        const S g = std::tanh(a[2 * H + j]);
        const S o = sigmoid(a[3 * H + j]);
        gt[j] = i;
        gt[H + j] = f;
        gt[2 * H + j] = g;
        gt[3 * H + j] = o;
        const S c_prev = cp ? cp[j] : S(0);
        ct[j] = f * c_prev + i * g;
        ht[j] = o * std::tanh(ct[j]);
      }
    }
  }
}

template <typename S>
void lstm_backward_reference(const LstmDims& d, const S* x, const LstmParams<S>& p, const S* h0,
                             const S* c0, const S* h_seq, const S* c_seq, const S* gates,
                             const S* dh_seq, const S* dc_last, const LstmParamGrads<S>& g,
                             S* dx, S* dh0, S* dc0) {
  const int B = d.B, T = d.T, I = d.I, H = d.H;
  std::vector<S> dh_next(H), dc_next(H), da(4 * static_cast<std::size_t>(H));
  for (int b = 0; b < B; ++b) {
    // gradients flowing back from step t+1 into h_t and c_t
    std::fill(dh_next.begin(), dh_next.end(), S(0));
    for (int j = 0; j < H; ++j) dc_next[j] = dc_last ? dc_last[static_cast<std::size_t>(b) * H + j] : S(0);
    for (int t = T - 1; t >= 0; --t) {
      const std::size_t bt = static_cast<std::size_t>(b) * T + t;
      const S* xt = x + bt * I;
      const S* hp = t > 0 ? h_seq + (bt - 1) * H : (h0 ? h0 + static_cast<std::size_t>(b) * H : nullptr);
      const S* cp = t > 0 ? c_seq + (bt - 1) * H : (c0 ? c0 + static_cast<std::size_t>(b) * H : nullptr);
      const S* gt = gates + bt * 4 * H;
      const S* ct = c_seq + bt * H;
      for (int j = 0; j < H; ++j) {
        const S i = gt[j], f = gt[H + j], gg = gt[2 * H + j], o = gt[3 * H + j];
        const S tc = std::tanh(ct[j]);
        const S dh = dh_seq[bt * H + j] + dh_next[j];
        // h = o tanh(c): into o and, through tanh, into c
        const S dc = dc_next[j] + dh * o * (S(1) - tc * tc);
        const S d_o = dh * tc;
        // c = f c_prev + i g
        const S c_prev = cp ? cp[j] : S(0);
        const S d_i = dc * gg;
        const S d_f = dc * c_prev;
        const S d_g = dc * i;
        dc_next[j] = dc * f;
        // through the activations to the pre-activations a
        da[j] = d_i * i * (S(1) - i);
        da[H + j] = d_f * f * (S(1) - f);
        da[2 * H + j] = d_g * (S(1) - gg * gg);
        da[3 * H + j] = d_o * o * (S(1) - o);
      }
      // a = W_ih x + b_ih + W_hh h_prev + b_hh
      for (int r = 0; r < 4 * H; ++r) {
        g.b_ih[r] += da[r];
        g.b_hh[r] += da[r];
        for (int k = 0; k < I; ++k) g.w_ih[static_cast<std::size_t>(r) * I + k] += da[r] * xt[k];
        if (hp) {
          for (int k = 0; k < H; ++k) g.w_hh[static_cast<std::size_t>(r) * H + k] += da[r] * hp[k];
        }
      }
      if (dx) {
        for (int k = 0; k < I; ++k) {
          S s = 0;
          for (int r = 0; r < 4 * H; ++r) s += p.w_ih[static_cast<std::size_t>(r) * I + k] * da[r];
          dx[bt * I + k] = s;
        }
      }
      for (int k = 0; k < H; ++k) {
        S s = 0;
        for (int r = 0; r < 4 * H; ++r) s += p.w_hh[static_cast<std::size_t>(r) * H + k] * da[r];
        dh_next[k] = s;
      }
    }
    if (dh0) std::memcpy(dh0 + static_cast<std::size_t>(b) * H, dh_next.data(), sizeof(S) * H);
    if (dc0) std::memcpy(dc0 + static_cast<std::size_t>(b) * H, dc_next.data(), sizeof(S) * H);
  }
}

#define FEDLOAD_INSTANTIATE(S)                                                                  \
  template void lstm_forward_reference<S>(const LstmDims&, const S*, const LstmParams<S>&,      \
                                          const S*, const S*, S*, S*, S*);                      \
  template void lstm_backward_reference<S>(const LstmDims&, const S*, const LstmParams<S>&,     \
                                           const S*, const S*, const S*, const S*, const S*,    \
                                           const S*, const S*, const LstmParamGrads<S>&, S*, S*, \
                                           S*);
FEDLOAD_INSTANTIATE(float)
FEDLOAD_INSTANTIATE(double)
#undef FEDLOAD_INSTANTIATE

}  // namespace fedload::kernels
