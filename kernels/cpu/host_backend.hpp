#pragma once
// What every host-memory backend of the default forecaster shares: the flat parameter and
// gradient buffers with their layout, the optimizer state and FedProx's proximal center, the
// targets and the loss, and the ForecasterBackend calls that are the same whatever the LSTM
// kernels are. A backend supplies how it stores a batch's inputs (store_inputs), its forward
// pass into yhat_ and its backward pass from dyhat_ into grads_.
#include <cstring>
#include <string>
#include <vector>

#include "fedload/core/error.hpp"
#include "fedload/kernels/backend.hpp"
#include "fedload/kernels/loss.hpp"
#include "fedload/kernels/lstm.hpp"
#include "fedload/kernels/optimizer.hpp"

namespace fedload::kernels {

class HostForecasterBackend : public ForecasterBackend {
 public:
  explicit HostForecasterBackend(const ForecasterDims& d)
      : d_(d), slots_(forecaster_layout(d)), params_(forecaster_param_count(d)), grads_(params_.size()),
        opt_(params_.size()), y_(static_cast<std::size_t>(d.B) * d.O), yhat_(y_.size()), dyhat_(y_.size()) {}

  const ForecasterDims& dims() const final { return d_; }

  void set_params(const float* flat) final {
    std::memcpy(params_.data(), flat, sizeof(float) * params_.size());
    opt_.reset(params_.size());
  }
  void get_params(float* flat) final { std::memcpy(flat, params_.data(), sizeof(float) * params_.size()); }
  void get_grads(float* flat) final { std::memcpy(flat, grads_.data(), sizeof(float) * grads_.size()); }

  void load_batch(const float* x, const float* y, int b) final {
    if (b < 1 || b > d_.B) throw_input_error("batch of {} samples, backend built for 1..{}", b, d_.B);
    b_ = b;
    store_inputs(x, b);
    has_y_ = y != nullptr;
    if (has_y_) std::memcpy(y_.data(), y, sizeof(float) * static_cast<std::size_t>(b) * d_.O);
  }

  void forward_backward(LossKind loss) final {
    if (!has_y_) throw_input_error("forward_backward needs targets; load_batch was given none");
    forward();
    loss_ = loss_and_grad(loss, static_cast<std::size_t>(b_) * d_.O, yhat_.data(), y_.data(), dyhat_.data());
    backward();
  }

  double loss() final { return loss_; }

  void optimizer_step(const OptimizerOptions& opt) final {
    opt_.step(opt, params_.data(), grads_.data(), prox_center_.empty() ? nullptr : prox_center_.data());
  }

  void set_prox_center(const float* flat) final { prox_center_.assign(flat, flat + params_.size()); }

  void predict(float* yhat) final {
    forward();
    std::memcpy(yhat, yhat_.data(), sizeof(float) * static_cast<std::size_t>(b_) * d_.O);
  }

 protected:
  // copies x [b][T][I] into the backend's own layout
  virtual void store_inputs(const float* x, int b) = 0;
  // yhat_ [b][O] from the stored inputs and params_ (throws when no batch is loaded)
  virtual void forward() = 0;
  // grads_ (overwritten) from dyhat_ and what forward() kept
  virtual void backward() = 0;

  const float* p(std::size_t slot) const { return params_.data() + slots_[slot].offset; }
  float* g(std::size_t slot) { return grads_.data() + slots_[slot].offset; }
  // the four groups of layer l (w_ih, w_hh, b_ih, b_hh), and its shape for the loaded batch
  LstmParams<float> lstm_params(int l) const {
    const std::size_t s = 4 * static_cast<std::size_t>(l);
    return {p(s), p(s + 1), p(s + 2), p(s + 3)};
  }
  LstmParamGrads<float> lstm_grads(int l) {
    const std::size_t s = 4 * static_cast<std::size_t>(l);
    return {g(s), g(s + 1), g(s + 2), g(s + 3)};
  }
  LstmDims lstm_dims(int l) const { return {b_, d_.T, l == 0 ? d_.I : d_.H, d_.H}; }
  // index of the head's weight slot (its bias follows)
  std::size_t head_slot() const { return slots_.size() - 2; }
  void require_batch() const {
    if (b_ == 0) throw_input_error("no batch loaded");
  }

  ForecasterDims d_;
  std::vector<ParamSlot> slots_;
  std::vector<float> params_, grads_;
  OptimizerState<float> opt_;
  int b_ = 0;
  bool has_y_ = false;
  double loss_ = 0.0;
  std::vector<float> y_, yhat_, dyhat_;
  std::vector<float> prox_center_;  // empty until set_prox_center
};

}  // namespace fedload::kernels
