#pragma once
// The ForecasterBackend of the hybrid forecaster (hybrid_forecaster.hpp) on the CPU. The flat
// buffer is the hybrid layout: the default forecaster's groups first, then the feature block's.
// The LSTM path (W_h h + b) runs on a default-forecaster backend (the engine: "cpu" or
// "cpu_reference") given that prefix of the buffer and the history channels of x; the feature
// path (W_f f) runs on the toolkit's layers in float. The loss is the engine's on the targets
// minus the feature path's output: loss(yhat_lstm, y - yhat_f) = loss(yhat_lstm + yhat_f, y),
// so the engine's gradients are the hybrid model's, and the feature path's come from the same
// dL/dyhat. Name: "<engine>_hybrid". There is no GPU version: the experiments refuse
// model.kind = "hybrid" with a GPU backend.
#include <memory>
#include <string>
#include <vector>

#include "fedload/kernels/backend.hpp"
#include "fedload/kernels/optimizer.hpp"
#include "fedload/model/hybrid_forecaster.hpp"

namespace fedload::model {

class HybridBackend final : public kernels::ForecasterBackend {
 public:
  // engine: a registered default-forecaster backend that runs on the host ("cpu", "cpu_reference")
  HybridBackend(const HybridDims& dims, const std::string& engine);

  std::string name() const override { return engine_->name() + "_hybrid"; }
  const kernels::ForecasterDims& dims() const override { return dims_.base; }
  std::size_t param_count() const override { return params_.size(); }

  void set_params(const float* flat) override;
  void get_params(float* flat) override;
  void get_grads(float* flat) override;
  void load_batch(const float* x, const float* y, int b) override;
  void forward_backward(kernels::LossKind loss) override;
  double loss() override { return loss_; }
  void optimizer_step(const kernels::OptimizerOptions& opt) override;
  void set_prox_center(const float* flat) override;
  void predict(float* yhat) override;

 private:
  // the feature path's output for the loaded batch; the engine gets the current prefix
  Tensor<float> forward_features();

  HybridDims dims_;
  std::unique_ptr<kernels::ForecasterBackend> engine_;
  std::size_t prefix_;                 // floats of the LSTM path (the engine's buffer)
  ParamStore<float> feature_store_;    // the feature block's groups, in layout order
  HybridFeatureBlock<float> features_;
  std::vector<float> params_, grads_;  // the whole hybrid buffer
  kernels::OptimizerState<float> opt_;
  Tensor<float> x_;
  std::vector<float> history_, y_, residual_, yhat_lstm_;
  bool has_y_ = false;
  int b_ = 0;
  double loss_ = 0.0;
  std::vector<float> prox_center_;
};

}  // namespace fedload::model
