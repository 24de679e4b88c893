#pragma once
// ForecasterBackend: one backend's implementation of the default forecaster's training step
// (stacked LSTM -> Linear head on the last hidden state -> loss), over ONE flat parameter
// buffer and ONE flat gradient buffer in fedload's layout. Backends: "cpu_reference" (the
// judge), later "cpu", "cuda", "cuda_persistent", "cudnn". Backends are created by name from
// the registry below; adding one is one file plus one registration line.
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace fedload::kernels {

struct ForecasterDims {
  int B = 0;       // largest batch the backend will be given
  int T = 0;       // lookback steps
  int I = 0;       // input features per step
  int H = 0;       // hidden size of every LSTM layer
  int layers = 1;  // stacked LSTM layers
  int O = 0;       // horizon (outputs of the head)
};

// One named parameter group inside the flat buffer.
struct ParamSlot {
  std::string name;          // e.g. "lstm.0.w_ih", "head.w"
  std::size_t offset = 0;    // in floats
  std::vector<int> shape;    // row-major
  std::size_t size() const;
};

// Flat layout, the order of PyTorch's state_dict for nn.LSTM(batch_first=True) + nn.Linear:
//   for l in 0..layers-1: lstm.l.w_ih [4H][I_l] (I_0 = I, else H), lstm.l.w_hh [4H][H],
//                         lstm.l.b_ih [4H], lstm.l.b_hh [4H]
//   head.w [O][H], head.b [O]
// d.B is not used (may be 0); the other dimensions must be >= 1 (InputError otherwise).
std::vector<ParamSlot> forecaster_layout(const ForecasterDims& d);
std::size_t forecaster_param_count(const ForecasterDims& d);
// Throws fedload::InputError naming the dimension unless all of B, T, I, H, layers, O are >= 1.
void check_forecaster_dims(const ForecasterDims& d);

enum class LossKind { kMse, kL1 };
enum class OptimizerKind { kAdam, kSgd };

struct OptimizerOptions {
  OptimizerKind kind = OptimizerKind::kAdam;
  float lr = 1e-3f;
  float beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f;  // Adam (PyTorch's defaults and bias correction)
  float momentum = 0.9f;                            // SGD
  float weight_decay = 0.0f;                        // L2 added to the gradient (PyTorch semantics)
  float max_grad_norm = 0.0f;                       // global L2 clip before the step; 0 = off
  // FedProx (Li et al. 2020): mu of the proximal term mu/2 ||w - w_c||^2 added to the local
  // objective, w_c the center given to set_prox_center; 0 = off. Order of the step: optimizer.hpp.
  float prox_mu = 0.0f;
};

class ForecasterBackend {
 public:
  virtual ~ForecasterBackend() = default;
  virtual std::string name() const = 0;
  virtual const ForecasterDims& dims() const = 0;
  // Floats in the flat parameter buffer. The default forecaster's count; a backend of another
  // model (model::HybridBackend: its layout is the model's, x carries extra channels) overrides it.
  virtual std::size_t param_count() const { return forecaster_param_count(dims()); }

  // Parameters in fedload's flat layout, host memory. set_params also resets optimizer state.
  virtual void set_params(const float* flat) = 0;
  virtual void get_params(float* flat) = 0;
  virtual void get_grads(float* flat) = 0;

  // Copies a batch (host memory) into the backend: x [b][T][I], y [b][O] (y may be nullptr for
  // prediction only), b <= dims().B. Not part of any timed region.
  virtual void load_batch(const float* x, const float* y, int b) = 0;
  // Forward, loss (mean over b*O elements), backward; gradients OVERWRITE the gradient buffer.
  virtual void forward_backward(LossKind loss) = 0;
  // Loss of the last forward_backward (synchronizes a device backend).
  virtual double loss() = 0;
  // Clip (if asked) and apply one optimizer step to the parameters from the gradients.
  // opt.prox_mu > 0 needs a center from set_prox_center (an Error otherwise).
  virtual void optimizer_step(const OptimizerOptions& opt) = 0;
  // The center w_c of FedProx's proximal term (fedload's flat layout, host memory), usually the
  // global model the local training started from. It stays until replaced; set_params does not
  // touch it. The default throws an Error saying the backend has no proximal term.
  virtual void set_prox_center(const float* flat);
  // Forward only on the loaded batch; yhat [b][O] host memory.
  virtual void predict(float* yhat) = 0;
  // Waits for queued work (no-op on the CPU). Benchmarks call it before reading a clock.
  virtual void synchronize() {}
  // Mean seconds of one full training step (forward_backward + optimizer_step) on the loaded
  // batch, over reps timed steps after one untimed warm-up step. The parameters train while
  // being timed. The default reads std::chrono::steady_clock around synchronize(); device
  // backends override it with events on their stream.
  virtual double time_train_steps(int reps, LossKind loss, const OptimizerOptions& opt);
};

using BackendFactory = std::function<std::unique_ptr<ForecasterBackend>(const ForecasterDims&)>;

// Registry by name. register_backend returns true so it can initialize a static.
bool register_backend(const std::string& name, BackendFactory factory);
std::unique_ptr<ForecasterBackend> make_backend(const std::string& name, const ForecasterDims& d);
// Names in alphabetical order.
std::vector<std::string> backend_names();

}  // namespace fedload::kernels
