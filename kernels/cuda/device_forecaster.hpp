#pragma once
// DeviceForecaster: what every GPU backend shares (flat parameter and gradient buffers on the
// device, batch upload, Linear head, loss, FedProx's proximal term, clipping and optimizers,
// timing with CUDA events, optional CUDA-graph replay of the training step). Subclasses supply
// the LSTM stack: the hand-written kernels (`cuda`, `cuda_persistent`) or cuDNN (`cudnn*`).
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "device_memory.hpp"
#include "fedload/kernels/backend.hpp"
#include "fedload/kernels/graph_replay.hpp"

namespace fedload::kernels::cuda {

// C[M][N] = alpha op(A) op(B) + beta C with every matrix row-major (ld = row stride), on
// cuBLAS's column-major SGEMM (computes C^T = op(B)^T op(A)^T).
void gemm_rm(cublasHandle_t h, bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda,
             const float* B, int ldb, float beta, float* C, int ldc);

// A matrix view: first row and row stride in floats.
struct RowView {
  float* p = nullptr;
  int ld = 0;
};

class DeviceForecaster : public ForecasterBackend {
 public:
  DeviceForecaster(std::string name, const ForecasterDims& d);
  std::string name() const override { return name_; }
  const ForecasterDims& dims() const override { return d_; }
  void set_params(const float* flat) override;
  void get_params(float* flat) override;
  void get_grads(float* flat) override;
  void load_batch(const float* x, const float* y, int b) override;
  void forward_backward(LossKind loss) override;
  double loss() override;
  void optimizer_step(const OptimizerOptions& opt) override;
  void set_prox_center(const float* flat) override;
  void predict(float* yhat) override;
  void synchronize() override;
  double time_train_steps(int reps, LossKind loss, const OptimizerOptions& opt) override;
  // How this backend runs (see gpu_backends.hpp).
  virtual std::string detail() const = 0;
  // The arithmetic it runs in: "fp32", or the TF32 GEMMs (see allow_tf32_gemms).
  virtual std::string math_detail() const;
  // cuBLAS in CUBLAS_TF32_TENSOR_OP_MATH: every GEMM through blas() (input projection, weight
  // gradients, dX, head) rounds its inputs to TF32 (10-bit mantissa) on tensor cores and
  // accumulates in FP32; GEMV, GEAM and fedload's own kernels (the recurrence) stay FP32. Call
  // before the first training step (a captured graph keeps the kernels it was captured with).
  void allow_tf32_gemms();
  // NaN into every output and scratch buffer (tests; see gpu_backends.hpp).
  virtual void poison_outputs();

 protected:
  // Runs the LSTM stack on the loaded batch (b_ samples; x_ holds [b][T][I]) and returns the top
  // layer's h_{T-1} rows [b][H].
  virtual RowView lstm_forward(bool training) = 0;
  // Where the head's backward writes dL/dh_{T-1} of the top layer ([b][H] rows).
  virtual RowView dh_last_target() = 0;
  // Backpropagation through the stack; writes (overwrites) every lstm.* gradient slot in grads_.
  virtual void lstm_backward() = 0;
  // Called after x_ was filled (e.g. to reorder it for cuDNN).
  virtual void on_batch_loaded(const float* /*x_host*/) {}
  // Whether forward_backward may be captured into a CUDA graph and replayed (GraphReplayPolicy:
  // one graph per batch size and loss, eager warm-up first, eager for good once refused).
  virtual bool graph_capture_allowed() const { return false; }
  // Drops every captured graph: call whenever something a graph holds by value changes
  // (descriptors, workspace or weight-space buffers). refused non-empty: run eagerly from now
  // on with that reason; empty: capture again.
  void reset_graphs(std::string refused = {});
  // Why graphs were refused ("" if they were not).
  const std::string& graph_refusal() const { return graph_policy_.refusal(); }
  // "graph", "eager", "eager (FEDLOAD_CUDA_GRAPH=0)" or "eager (capture refused: ...)".
  std::string graph_detail() const;

  template <typename T>
  void poison(DeviceBuffer<T>& buf) {
    CUDA_CHECK(cudaMemsetAsync(buf.get(), 0xff, buf.bytes(), stream()));  // all-ones bits: a NaN
  }
  cudaStream_t stream() const { return stream_.get(); }
  cublasHandle_t blas() const { return blas_.get(); }
  float* param(std::size_t slot) const { return params_.get() + layout_[slot].offset; }
  float* grad(std::size_t slot) const { return grads_.get() + layout_[slot].offset; }
  // index in layout_ of lstm.<layer>.<what> (what: w_ih, w_hh, b_ih, b_hh)
  static std::size_t lstm_slot(int layer, int what) { return static_cast<std::size_t>(layer) * 4 + what; }

  struct DeviceGuard {
    DeviceGuard();
  };
  DeviceGuard guard_;  // first member: throws "no CUDA device" before any other CUDA call
  ForecasterDims d_;
  std::string name_;
  std::vector<ParamSlot> layout_;
  std::size_t P_ = 0;
  int b_ = 0;
  bool has_targets_ = false;
  Stream stream_;
  CublasHandle blas_;
  DeviceBuffer<float> params_, grads_, x_, y_, yhat_, dyhat_, ones_;
  DeviceBuffer<float> opt_m_, opt_v_;
  DeviceBuffer<float> prox_center_;  // allocated by the first set_prox_center
  DeviceBuffer<double> scalars_;  // [0] loss, [1] sum of squared gradients
  std::int64_t opt_steps_ = 0;

 private:
  void enqueue_forward_backward(LossKind loss);
  // Captures the step for (b_, loss) into graphs_; false (and the policy refused) when the
  // capture failed, in which case nothing ran and the caller runs the step eagerly.
  bool capture_step(LossKind loss);
  void head_forward(RowView h_last);
  GraphReplayPolicy graph_policy_;
  std::map<std::pair<int, int>, GraphExec> graphs_;  // (batch, loss) -> instantiated graph
  bool tf32_gemms_ = false;
};

}  // namespace fedload::kernels::cuda
