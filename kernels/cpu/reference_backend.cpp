// "cpu_reference": the default forecaster (stacked LSTM -> Linear head on the last hidden
// state -> loss) composed from the reference kernels. It is the judge the other backends are
// compared with, so it favours plainness over speed.
#include <cstring>
#include <vector>

#include "fedload/core/error.hpp"
#include "fedload/kernels/backend.hpp"
#include "fedload/kernels/loss.hpp"
#include "fedload/kernels/optimizer.hpp"
#include "fedload/kernels/reference.hpp"
#include "fedload/kernels/registration.hpp"

namespace fedload::kernels {
namespace {

class CpuReferenceBackend final : public ForecasterBackend {
 public:
  explicit CpuReferenceBackend(const ForecasterDims& d)
      : d_(d), slots_(forecaster_layout(d)), params_(forecaster_param_count(d)),
        grads_(params_.size()), opt_(params_.size()) {
    const std::size_t bth = static_cast<std::size_t>(d.B) * d.T * d.H;
    x_.resize(static_cast<std::size_t>(d.B) * d.T * d.I);
    y_.resize(static_cast<std::size_t>(d.B) * d.O);
    yhat_.resize(y_.size());
    dyhat_.resize(y_.size());
    h_last_.resize(static_cast<std::size_t>(d.B) * d.H);
    dh_last_.resize(h_last_.size());
    for (int l = 0; l < d.layers; ++l) {
      h_seq_.emplace_back(bth);
      c_seq_.emplace_back(bth);
      gates_.emplace_back(4 * bth);
    }
    dh_seq_.resize(bth);
    dh_below_.resize(bth);
  }

  std::string name() const override { return "cpu_reference"; }
  const ForecasterDims& dims() const override { return d_; }

  void set_params(const float* flat) override {
    std::memcpy(params_.data(), flat, sizeof(float) * params_.size());
    opt_.reset(params_.size());
  }
  void get_params(float* flat) override { std::memcpy(flat, params_.data(), sizeof(float) * params_.size()); }
  void get_grads(float* flat) override { std::memcpy(flat, grads_.data(), sizeof(float) * grads_.size()); }

  void load_batch(const float* x, const float* y, int b) override {
    if (b < 1 || b > d_.B) throw_input_error("batch of {} samples, backend built for 1..{}", b, d_.B);
    b_ = b;
    std::memcpy(x_.data(), x, sizeof(float) * static_cast<std::size_t>(b) * d_.T * d_.I);
    has_y_ = y != nullptr;
    if (has_y_) std::memcpy(y_.data(), y, sizeof(float) * static_cast<std::size_t>(b) * d_.O);
  }

  void forward_backward(LossKind loss) override {
    if (!has_y_) throw_input_error("forward_backward needs targets; load_batch was given none");
    forward();
    const std::size_t n = static_cast<std::size_t>(b_) * d_.O;
    loss_ = loss_and_grad(loss, n, yhat_.data(), y_.data(), dyhat_.data());
    backward();
  }

  double loss() override { return loss_; }

  void optimizer_step(const OptimizerOptions& opt) override {
    opt_.step(opt, params_.data(), grads_.data());
  }

  void predict(float* yhat) override {
    forward();
    std::memcpy(yhat, yhat_.data(), sizeof(float) * static_cast<std::size_t>(b_) * d_.O);
  }

 private:
  const float* p(std::size_t slot) const { return params_.data() + slots_[slot].offset; }
  float* g(std::size_t slot) { return grads_.data() + slots_[slot].offset; }
  LstmParams<float> lstm_params(int l) const {
    const std::size_t s = 4 * static_cast<std::size_t>(l);
    return {p(s), p(s + 1), p(s + 2), p(s + 3)};
  }
  LstmDims lstm_dims(int l) const { return {b_, d_.T, l == 0 ? d_.I : d_.H, d_.H}; }
  const float* layer_input(int l) const { return l == 0 ? x_.data() : h_seq_[l - 1].data(); }

  void forward() {
    if (b_ == 0) throw_input_error("no batch loaded");
    for (int l = 0; l < d_.layers; ++l) {
      lstm_forward_reference(lstm_dims(l), layer_input(l), lstm_params(l), static_cast<const float*>(nullptr),
                             static_cast<const float*>(nullptr), h_seq_[l].data(), c_seq_[l].data(),
                             gates_[l].data());
    }
    // the head reads the top layer's last hidden state h_{T-1}
    const auto& top = h_seq_.back();
    for (int b = 0; b < b_; ++b) {
      std::memcpy(h_last_.data() + static_cast<std::size_t>(b) * d_.H,
                  top.data() + (static_cast<std::size_t>(b) * d_.T + d_.T - 1) * d_.H, sizeof(float) * d_.H);
    }
    const std::size_t head = slots_.size() - 2;
    linear_forward_reference(b_, d_.H, d_.O, h_last_.data(), p(head), p(head + 1), yhat_.data());
  }

  void backward() {
    std::fill(grads_.begin(), grads_.end(), 0.0f);
    const std::size_t head = slots_.size() - 2;
    linear_backward_reference(b_, d_.H, d_.O, h_last_.data(), p(head), dyhat_.data(), g(head),
                              g(head + 1), dh_last_.data());
    // only h_{T-1} of the top layer is read from outside; every other step's gradient comes
    // through the recurrence
    const std::size_t bth = static_cast<std::size_t>(b_) * d_.T * d_.H;
    std::fill(dh_seq_.begin(), dh_seq_.begin() + bth, 0.0f);
    for (int b = 0; b < b_; ++b) {
      std::memcpy(dh_seq_.data() + (static_cast<std::size_t>(b) * d_.T + d_.T - 1) * d_.H,
                  dh_last_.data() + static_cast<std::size_t>(b) * d_.H, sizeof(float) * d_.H);
    }
    for (int l = d_.layers - 1; l >= 0; --l) {
      const std::size_t s = 4 * static_cast<std::size_t>(l);
      LstmParamGrads<float> lg{g(s), g(s + 1), g(s + 2), g(s + 3)};
      // the gradient into this layer's input is the dh_seq of the layer below
      float* dx = l > 0 ? dh_below_.data() : nullptr;
      lstm_backward_reference(lstm_dims(l), layer_input(l), lstm_params(l), static_cast<const float*>(nullptr),
                              static_cast<const float*>(nullptr), h_seq_[l].data(), c_seq_[l].data(),
                              gates_[l].data(), dh_seq_.data(), static_cast<const float*>(nullptr), lg, dx,
                              static_cast<float*>(nullptr), static_cast<float*>(nullptr));
      if (l > 0) std::swap(dh_seq_, dh_below_);
    }
  }

  ForecasterDims d_;
  std::vector<ParamSlot> slots_;
  std::vector<float> params_, grads_;
  OptimizerState<float> opt_;
  int b_ = 0;
  bool has_y_ = false;
  double loss_ = 0.0;
  std::vector<float> x_, y_, yhat_, dyhat_, h_last_, dh_last_, dh_seq_, dh_below_;
  std::vector<std::vector<float>> h_seq_, c_seq_, gates_;  // per layer
};

}  // namespace

void register_cpu_reference_backends() {
  register_backend("cpu_reference", [](const ForecasterDims& d) {
    return std::make_unique<CpuReferenceBackend>(d);
  });
}

}  // namespace fedload::kernels
