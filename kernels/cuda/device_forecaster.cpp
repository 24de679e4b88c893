// The parts of every GPU backend that are not the LSTM stack: buffers, head, loss, optimizer,
// graph replay and event timing.
#include "device_forecaster.hpp"

#include <cmath>
#include <cstdlib>
#include <exception>
#include <utility>

#include "fedload/core/error.hpp"
#include "fedload/core/profiler_range.hpp"
#include "fedload/kernels/optimizer.hpp"
#include "lstm_kernels.cuh"

namespace fedload::kernels::cuda {

void require_device() {
  int n = 0;
  const cudaError_t e = cudaGetDeviceCount(&n);
  if (e != cudaSuccess) {
    (void)cudaGetLastError();
    throw Error(ErrorKind::kRuntime, fmt::format("no CUDA device: {} ({}); GPU backends need a visible NVIDIA GPU",
                                                 cudaGetErrorName(e), cudaGetErrorString(e)));
  }
  if (n == 0) throw Error(ErrorKind::kRuntime, "no CUDA device: the CUDA runtime sees none");
}

void gemm_rm(cublasHandle_t h, bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda,
             const float* B, int ldb, float beta, float* C, int ldc) {
  CUBLAS_CHECK(cublasSgemm(h, trans_b ? CUBLAS_OP_T : CUBLAS_OP_N, trans_a ? CUBLAS_OP_T : CUBLAS_OP_N, N, M, K, &alpha,
                           B, ldb, A, lda, &beta, C, ldc));
}

DeviceForecaster::DeviceGuard::DeviceGuard() { require_device(); }

DeviceForecaster::DeviceForecaster(std::string name, const ForecasterDims& d)
    : d_(d),
      name_(std::move(name)),
      layout_(forecaster_layout(d)),
      P_(forecaster_param_count(d)),
      blas_(stream_.get()),
      params_(P_),
      grads_(P_),
      x_(std::size_t(d.B) * d.T * d.I),
      y_(std::size_t(d.B) * d.O),
      yhat_(std::size_t(d.B) * d.O),
      dyhat_(std::size_t(d.B) * d.O),
      ones_(std::size_t(d.B) * d.T),
      opt_m_(P_),
      opt_v_(P_),
      scalars_(2),
      graph_policy_([] {
        const char* env = std::getenv("FEDLOAD_CUDA_GRAPH");
        return !(env && std::string(env) == "0");
      }(), "FEDLOAD_CUDA_GRAPH=0") {
  launch_fill(ones_.size(), 1.0f, ones_.get(), stream());
  CUDA_CHECK(cudaMemsetAsync(opt_m_.get(), 0, opt_m_.bytes(), stream()));
  CUDA_CHECK(cudaMemsetAsync(opt_v_.get(), 0, opt_v_.bytes(), stream()));
  CUDA_CHECK(cudaMemsetAsync(grads_.get(), 0, grads_.bytes(), stream()));
  CUDA_CHECK(cudaMemsetAsync(scalars_.get(), 0, scalars_.bytes(), stream()));
}

void DeviceForecaster::allow_tf32_gemms() {
  CUBLAS_CHECK(cublasSetMathMode(blas(), CUBLAS_TF32_TENSOR_OP_MATH));
  tf32_gemms_ = true;
  reset_graphs(graph_refusal());
}

std::string DeviceForecaster::math_detail() const {
  if (!tf32_gemms_) return "fp32";
  const bool off = tf32_disabled_by_environment(std::getenv("NVIDIA_TF32_OVERRIDE"));
  return std::string("tf32 GEMMs (cuBLAS), recurrence fp32") +
         (off ? " [NVIDIA_TF32_OVERRIDE=0: the libraries run fp32]" : "");
}

void DeviceForecaster::reset_graphs(std::string refused) {
  graphs_.clear();
  graph_policy_.reset(std::move(refused));
}

std::string DeviceForecaster::graph_detail() const {
  return graph_capture_allowed() ? graph_policy_.describe() : std::string("eager");
}

void DeviceForecaster::set_params(const float* flat) {
  CUDA_CHECK(cudaMemcpyAsync(params_.get(), flat, params_.bytes(), cudaMemcpyHostToDevice, stream()));
  CUDA_CHECK(cudaMemsetAsync(opt_m_.get(), 0, opt_m_.bytes(), stream()));
  CUDA_CHECK(cudaMemsetAsync(opt_v_.get(), 0, opt_v_.bytes(), stream()));
  opt_steps_ = 0;
  synchronize();
}

void DeviceForecaster::get_params(float* flat) {
  CUDA_CHECK(cudaMemcpyAsync(flat, params_.get(), params_.bytes(), cudaMemcpyDeviceToHost, stream()));
  synchronize();
}

void DeviceForecaster::get_grads(float* flat) {
  CUDA_CHECK(cudaMemcpyAsync(flat, grads_.get(), grads_.bytes(), cudaMemcpyDeviceToHost, stream()));
  synchronize();
}

void DeviceForecaster::load_batch(const float* x, const float* y, int b) {
  if (b < 1 || b > d_.B) throw_input_error("{}: batch of {} samples, expected 1..{}", name_, b, d_.B);
  CUDA_CHECK(cudaMemcpyAsync(x_.get(), x, std::size_t(b) * d_.T * d_.I * sizeof(float), cudaMemcpyHostToDevice,
                             stream()));
  if (y)
    CUDA_CHECK(cudaMemcpyAsync(y_.get(), y, std::size_t(b) * d_.O * sizeof(float), cudaMemcpyHostToDevice, stream()));
  b_ = b;
  has_targets_ = y != nullptr;
  on_batch_loaded(x);
  synchronize();
}

void DeviceForecaster::head_forward(RowView h_last) {
  const ParamSlot& w = layout_[layout_.size() - 2];
  gemm_rm(blas(), false, true, b_, d_.O, d_.H, 1.0f, h_last.p, h_last.ld, params_.get() + w.offset, d_.H, 0.0f,
          yhat_.get(), d_.O);
}

void DeviceForecaster::enqueue_forward_backward(LossKind loss) {
  const std::size_t head_w = layout_.size() - 2, head_b = layout_.size() - 1;
  const RowView h_last = lstm_forward(true);
  head_forward(h_last);
  launch_head_loss(b_, d_.O, yhat_.get(), param(head_b), y_.get(), dyhat_.get(), grad(head_b), scalars_.get(),
                   loss == LossKind::kMse ? 0 : 1, stream());
  // dW_head [O][H] = dyhat^T h_last;  dh_last [b][H] = dyhat W_head
  gemm_rm(blas(), true, false, d_.O, d_.H, b_, 1.0f, dyhat_.get(), d_.O, h_last.p, h_last.ld, 0.0f, grad(head_w), d_.H);
  const RowView dh = dh_last_target();
  gemm_rm(blas(), false, false, b_, d_.H, d_.O, 1.0f, dyhat_.get(), d_.O, param(head_w), d_.H, 0.0f, dh.p, dh.ld);
  lstm_backward();
}

void DeviceForecaster::forward_backward(LossKind loss) {
  if (b_ == 0 || !has_targets_)
    throw_input_error("{}: forward_backward needs a batch with targets (load_batch(x, y, b) with y)", name_);
  // NVTX ranges of the train step, inside the phase's "local_train rN": they mark where the
  // host enqueues the step (the kernels run later, on the stream)
  const ProfilerRange range("forward_backward");
  const int loss_key = static_cast<int>(loss);
  const StepAction action = graph_capture_allowed() ? graph_policy_.next(b_, loss_key) : StepAction::kEager;
  if (action == StepAction::kEager || action == StepAction::kWarmUp ||
      (action == StepAction::kCapture && !capture_step(loss))) {
    enqueue_forward_backward(loss);
    return;
  }
  if (action == StepAction::kCapture) return;  // capture_step launched the new graph
  CUDA_CHECK(cudaGraphLaunch(graphs_.at({b_, loss_key}).get(), stream()));
}

// Captures the step, instantiates it and launches it once; false (the step not run, eager from
// now on) when any of that is refused.
bool DeviceForecaster::capture_step(LossKind loss) {
  // the step is hundreds of small launches (T per layer and direction); replaying them as one
  // graph removes most of the CPU launch cost between them
  const std::pair<int, int> key{b_, static_cast<int>(loss)};
  cudaGraph_t g = nullptr;
  CUDA_CHECK(cudaStreamBeginCapture(stream(), cudaStreamCaptureModeThreadLocal));
  std::string failure;
  try {
    enqueue_forward_backward(loss);
  } catch (const std::exception& e) {
    failure = e.what();  // a call the library or the runtime refused while capturing
  }
  // the capture must be ended whatever happened, or the stream stays in capture mode; a call
  // that failed without reporting it (a library that ignores an error code) shows up here as
  // an invalidated capture
  const cudaError_t end = cudaStreamEndCapture(stream(), &g);
  if (failure.empty() && end != cudaSuccess)
    failure = fmt::format("cudaStreamEndCapture: {} ({})", cudaGetErrorName(end), cudaGetErrorString(end));
  if (failure.empty() && !g) failure = "cudaStreamEndCapture returned no graph";
  if (failure.empty()) {
    try {
      graphs_[key].adopt(std::exchange(g, nullptr));  // owns the graph even if instantiation throws
    } catch (const Error& e) {
      failure = e.what();
    }
  }
  if (failure.empty()) {
    // the first launch of a new graph is part of the capture: a graph the runtime will not
    // launch (refused before anything ran) means eager from now on, not a failing step
    const cudaError_t launch = cudaGraphLaunch(graphs_.at(key).get(), stream());
    if (launch != cudaSuccess)
      failure = fmt::format("cudaGraphLaunch: {} ({})", cudaGetErrorName(launch), cudaGetErrorString(launch));
  }
  if (failure.empty()) {
    graph_policy_.captured(key.first, key.second);
    return true;
  }
  if (g) cudaGraphDestroy(g);
  // capture errors are not sticky: clear the last error so the eager step starts clean
  (void)cudaGetLastError();
  graphs_.clear();
  graph_policy_.refuse(failure);
  return false;
}

double DeviceForecaster::loss() {
  double v = 0.0;
  CUDA_CHECK(cudaMemcpyAsync(&v, scalars_.get(), sizeof(double), cudaMemcpyDeviceToHost, stream()));
  synchronize();
  return v;
}

void DeviceForecaster::set_prox_center(const float* flat) {
  if (!prox_center_.get()) prox_center_ = DeviceBuffer<float>(P_);
  CUDA_CHECK(cudaMemcpyAsync(prox_center_.get(), flat, prox_center_.bytes(), cudaMemcpyHostToDevice, stream()));
  synchronize();  // the caller may free or change flat as soon as this returns
}

void DeviceForecaster::optimizer_step(const OptimizerOptions& opt) {
  if (!(opt.lr > 0.0f)) throw_input_error("learning rate must be positive, got {}", opt.lr);
  check_prox_mu(opt.prox_mu, prox_center_.get() != nullptr);
  const ProfilerRange range("optimizer_step");
  if (opt.prox_mu > 0.0f) launch_add_prox(P_, grads_.get(), params_.get(), prox_center_.get(), opt.prox_mu, stream());
  const double* sumsq = nullptr;
  if (opt.max_grad_norm > 0.0f) {
    CUDA_CHECK(cudaMemsetAsync(scalars_.get() + 1, 0, sizeof(double), stream()));
    launch_sum_squares(P_, grads_.get(), scalars_.get() + 1, stream());
    sumsq = scalars_.get() + 1;
  }
  ++opt_steps_;
  if (opt.kind == OptimizerKind::kAdam) {
    const double bc1 = 1.0 - std::pow(double(opt.beta1), double(opt_steps_));
    const double bc2 = 1.0 - std::pow(double(opt.beta2), double(opt_steps_));
    launch_adam(P_, params_.get(), grads_.get(), opt_m_.get(), opt_v_.get(), float(opt.lr / bc1),
                float(std::sqrt(bc2)), opt.beta1, opt.beta2, opt.eps, opt.weight_decay, sumsq, opt.max_grad_norm,
                stream());
  } else {
    launch_sgd(P_, params_.get(), grads_.get(), opt_m_.get(), opt.lr, opt.momentum, opt_steps_ == 1 ? 1 : 0,
               opt.weight_decay, sumsq, opt.max_grad_norm, stream());
  }
}

void DeviceForecaster::predict(float* yhat) {
  if (b_ == 0) throw_input_error("{}: predict needs a loaded batch (load_batch)", name_);
  head_forward(lstm_forward(false));
  launch_head_loss(b_, d_.O, yhat_.get(), param(layout_.size() - 1), nullptr, nullptr, nullptr, nullptr, 0, stream());
  CUDA_CHECK(cudaMemcpyAsync(yhat, yhat_.get(), std::size_t(b_) * d_.O * sizeof(float), cudaMemcpyDeviceToHost,
                             stream()));
  synchronize();
}

void DeviceForecaster::poison_outputs() {
  poison(grads_);
  poison(yhat_);
  poison(dyhat_);
  poison(scalars_);
  synchronize();
}

void DeviceForecaster::synchronize() { CUDA_CHECK(cudaStreamSynchronize(stream())); }

double DeviceForecaster::time_train_steps(int reps, LossKind loss, const OptimizerOptions& opt) {
  if (reps < 1) throw_input_error("time_train_steps needs at least one repetition, got {}", reps);
  // warm-up: two steps, the eager one before a capture and the capture itself (see
  // GraphReplayPolicy), so cuBLAS heuristics, capture and first-touch costs stay out of the numbers
  for (int w = 0; w < 2; ++w) {
    forward_backward(loss);
    optimizer_step(opt);
  }
  synchronize();
  Event start, stop;
  CUDA_CHECK(cudaEventRecord(start.get(), stream()));
  for (int r = 0; r < reps; ++r) {
    forward_backward(loss);
    optimizer_step(opt);
  }
  CUDA_CHECK(cudaEventRecord(stop.get(), stream()));
  CUDA_CHECK(cudaEventSynchronize(stop.get()));
  float ms = 0.0f;
  CUDA_CHECK(cudaEventElapsedTime(&ms, start.get(), stop.get()));
  return double(ms) * 1e-3 / reps;
}

}  // namespace fedload::kernels::cuda
