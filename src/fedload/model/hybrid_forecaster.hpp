#pragma once
// The hybrid forecaster of Lu, Ouyang, Li & Zou (arXiv:2403.03898, 2024), composed from the
// toolkit: an LSTM block on the per-step history and a fully connected block on non-temporal
// features of the forecast, joined by one output layer over [h ; f]:
//
//   history  x[:, :, 0:S)            -> Lstm(S, H, layers), last step -> h [B][H]
//   numeric  x[:, T-1, S:S+N)        -+
//   indices  x[:, T-1, S+N:S+N+4)    -> Embedding(45, E) -> [B][4E]
//                          concat [B][N+4E] -> Linear(F) -> ReLU -> f [B][F]
//   yhat [B][O] = W [h ; f] + b = (W_h h + b) + W_f f
//
// The non-temporal features describe the forecast made after the window's last step, so they
// ride in extra channels of x's LAST step (every step carries them; only T-1 is read): N numeric
// values (week statistics and similarities, data/hybrid_features.hpp) and four time indices as
// whole numbers: hour of day [0, 24), day of week [0, 7), month [0, 12), holiday [0, 2). A
// one-hot code of each index times a weight matrix is an embedding lookup; one table holds the
// four vocabularies one after another (45 rows).
//
// The output layer W = [W_h | W_f] is stored as two groups so that the flat layout BEGINS with
// the default forecaster's (lstm.l.*, head.w = W_h [O][H], head.b [O]: the same values from the
// same seed) and the feature block follows: embed.weight [45][E], fc.w [F][N+4E], fc.b [F],
// head_f.w = W_f [O][F]. The output layer is the groups named head*; online correction tunes
// only them. The split lets a fast default-forecaster backend compute the LSTM path
// (hybrid_backend.hpp).
#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "fedload/kernels/backend.hpp"
#include "fedload/model/layers.hpp"

namespace fedload::model {

// vocabulary of each time index, in the order of the channels
inline constexpr std::array<int, 4> kHybridTimeVocab = {24, 7, 12, 2};

struct HybridDims {
  // B, T, H, layers, O as the default forecaster; I = channels of x = S + N + 4
  kernels::ForecasterDims base;
  int history = 5;    // S: channels of every step the LSTM block reads
  int numeric = 0;    // N: non-temporal numeric features (week max, min, mean, K similarities)
  int embed = 4;      // E: embedding width of each time index
  int fc_hidden = 16; // F: width of the fully connected block
  // the default forecaster the LSTM path is: I = S
  kernels::ForecasterDims lstm_dims() const {
    kernels::ForecasterDims d = base;
    d.I = history;
    return d;
  }
};
// InputError naming the dimension unless every size is >= 1 (numeric >= 0) and I = S + N + 4.
void check_hybrid_dims(const HybridDims& d);

// x [B][T][I] -> the history channels [B][T][S]
template <typename S>
Tensor<S> hybrid_history(const HybridDims& d, const Tensor<S>& x);

// The feature path W_f f: its groups (embed, fc, head_f) are added to `store` after whatever it
// holds. forward(x [B][T][I]) -> [B][O]; backward accumulates into the store's gradients.
template <typename S>
class HybridFeatureBlock {
 public:
  HybridFeatureBlock(ParamStore<S>& store, const HybridDims& dims);
  Tensor<S> forward(const Tensor<S>& x);
  void backward(const Tensor<S>& dy);

 private:
  HybridDims dims_;
  Embedding<S> embed_;
  Sequential<S> fc_;
  std::unique_ptr<Linear<S>> head_f_;
  int b_ = 0;
};

template <typename S>
class HybridForecaster {
 public:
  explicit HybridForecaster(const HybridDims& dims);
  HybridForecaster(const HybridForecaster&) = delete;
  HybridForecaster& operator=(const HybridForecaster&) = delete;

  void init(std::uint64_t seed) { store_.init(seed); }
  // x [b][T][I] -> yhat [b][O]
  Tensor<S> predict(const Tensor<S>& x);
  // Forward, loss (mean over b*O), backward; gradients OVERWRITE grads(). Returns the loss.
  double loss_and_grad(const Tensor<S>& x, const Tensor<S>& y, kernels::LossKind loss);

  const HybridDims& dims() const { return dims_; }
  ParamStore<S>& store() { return store_; }
  std::vector<S>& params() { return store_.params(); }
  std::vector<S>& grads() { return store_.grads(); }
  const std::vector<ParamSlot>& layout() const { return store_.layout(); }

 private:
  HybridDims dims_;
  ParamStore<S> store_;
  Lstm<S> lstm_;
  Linear<S> head_;
  HybridFeatureBlock<S> features_;
};

}  // namespace fedload::model
