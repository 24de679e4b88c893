#pragma once
// Reference kernels: plain loops over row-major arrays, written to be obviously correct, not
// fast. Every other backend is checked against these. Instantiated for float and double (the
// gradient checks run in double). Equations and layouts are those of lstm.hpp.
#include <cstddef>

#include "fedload/kernels/lstm.hpp"

namespace fedload::kernels {

// LSTM forward over T steps. h0, c0 [B][H] may be nullptr (zeros). Writes h_seq, c_seq [B][T][H]
// and the post-activation gates [B][T][4H] (i, f, g, o) that the backward pass reads.
template <typename S>
void lstm_forward_reference(const LstmDims& d, const S* x, const LstmParams<S>& p, const S* h0,
                            const S* c0, S* h_seq, S* c_seq, S* gates);

// LSTM backward through time. dh_seq [B][T][H] is the loss gradient flowing into every h_t from
// above (zeros where nothing reads h_t); dc_last [B][H] the gradient into c_{T-1} (nullptr:
// zeros). Parameter gradients are ACCUMULATED (+=) into g. dx [B][T][I], dh0 and dc0 [B][H] are
// overwritten; each may be nullptr when not wanted.
template <typename S>
void lstm_backward_reference(const LstmDims& d, const S* x, const LstmParams<S>& p, const S* h0,
                             const S* c0, const S* h_seq, const S* c_seq, const S* gates,
                             const S* dh_seq, const S* dc_last, const LstmParamGrads<S>& g,
                             S* dx, S* dh0, S* dc0);

// Linear: y [N][O] = x [N][I] * W^T + b; W [O][I], b [O] (b may be nullptr: no bias).
template <typename S>
void linear_forward_reference(int N, int I, int O, const S* x, const S* w, const S* b, S* y);

// dW += dy^T x, db += sum over rows of dy (db may be nullptr), dx = dy W (overwritten; may be
// nullptr).
template <typename S>
void linear_backward_reference(int N, int I, int O, const S* x, const S* w, const S* dy, S* dw,
                               S* db, S* dx);

// Elementwise activations over n values. backward: dx = dy * f'(.) computed from the forward
// OUTPUT y (all three derivatives are functions of y); dx may alias dy.
enum class Activation { kRelu, kTanh, kSigmoid };
template <typename S>
void activation_forward_reference(Activation a, std::size_t n, const S* x, S* y);
template <typename S>
void activation_backward_reference(Activation a, std::size_t n, const S* y, const S* dy, S* dx);

// Embedding lookup: y [N][D] = table[index[n]] with table [V][D]; indices must be in [0, V)
// (throws fedload::InputError otherwise). backward: dtable[index[n]] += dy[n].
template <typename S>
void embedding_forward_reference(int N, int V, int D, const int* index, const S* table, S* y);
template <typename S>
void embedding_backward_reference(int N, int V, int D, const int* index, const S* dy, S* dtable);

}  // namespace fedload::kernels
