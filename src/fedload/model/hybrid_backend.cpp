#include "fedload/model/hybrid_backend.hpp"

#include <algorithm>

#include "fedload/core/error.hpp"
#include "fedload/kernels/loss.hpp"

namespace fedload::model {

HybridBackend::HybridBackend(const HybridDims& dims, const std::string& engine)
    : dims_((check_hybrid_dims(dims), dims)),
      engine_(kernels::make_backend(engine, dims.lstm_dims())),
      prefix_(engine_->param_count()),
      features_(feature_store_, dims),
      params_(prefix_ + feature_store_.size()),
      grads_(params_.size()),
      opt_(params_.size()) {}

void HybridBackend::set_params(const float* flat) {
  std::copy_n(flat, params_.size(), params_.begin());
  opt_.reset(params_.size());
}

void HybridBackend::get_params(float* flat) { std::copy(params_.begin(), params_.end(), flat); }
void HybridBackend::get_grads(float* flat) { std::copy(grads_.begin(), grads_.end(), flat); }

void HybridBackend::load_batch(const float* x, const float* y, int b) {
  const auto& d = dims();
  if (b < 1 || b > d.B) throw_input_error("batch of {} samples, backend built for 1..{}", b, d.B);
  b_ = b;
  x_ = Tensor<float>({b, d.T, d.I}, std::vector<float>(x, x + static_cast<std::size_t>(b) * d.T * d.I));
  history_ = hybrid_history(dims_, x_).data;
  has_y_ = y != nullptr;
  if (has_y_) y_.assign(y, y + static_cast<std::size_t>(b) * d.O);
}

Tensor<float> HybridBackend::forward_features() {
  if (b_ == 0) throw_input_error("no batch loaded");
  engine_->set_params(params_.data());
  std::copy(params_.begin() + static_cast<std::ptrdiff_t>(prefix_), params_.end(), feature_store_.params().begin());
  return features_.forward(x_);
}

void HybridBackend::forward_backward(kernels::LossKind loss) {
  if (!has_y_) throw_input_error("forward_backward needs targets; load_batch was given none");
  const Tensor<float> yf = forward_features();
  const std::size_t n = y_.size();
  // the engine's forecast of the LSTM path, then its loss on what the feature path leaves
  yhat_lstm_.resize(n);
  engine_->load_batch(history_.data(), nullptr, b_);
  engine_->predict(yhat_lstm_.data());
  residual_.resize(n);
  for (std::size_t k = 0; k < n; ++k) residual_[k] = y_[k] - yf.data[k];
  engine_->load_batch(history_.data(), residual_.data(), b_);
  engine_->forward_backward(loss);
  engine_->get_grads(grads_.data());
  // dL/dyhat of the whole forecast, for the feature path
  std::vector<float> yhat(n);
  for (std::size_t k = 0; k < n; ++k) yhat[k] = yhat_lstm_[k] + yf.data[k];
  Tensor<float> dyhat(yf.shape);
  loss_ = kernels::loss_and_grad(loss, n, yhat.data(), y_.data(), dyhat.data.data());
  feature_store_.zero_grads();
  features_.backward(dyhat);
  std::copy(feature_store_.grads().begin(), feature_store_.grads().end(),
            grads_.begin() + static_cast<std::ptrdiff_t>(prefix_));
}

void HybridBackend::optimizer_step(const kernels::OptimizerOptions& opt) {
  opt_.step(opt, params_.data(), grads_.data(), prox_center_.empty() ? nullptr : prox_center_.data());
}

void HybridBackend::set_prox_center(const float* flat) { prox_center_.assign(flat, flat + params_.size()); }

void HybridBackend::predict(float* yhat) {
  const Tensor<float> yf = forward_features();
  engine_->load_batch(history_.data(), nullptr, b_);
  engine_->predict(yhat);
  for (std::size_t k = 0; k < yf.size(); ++k) yhat[k] += yf.data[k];
}

}  // namespace fedload::model
