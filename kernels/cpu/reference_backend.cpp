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
#include "host_backend.hpp"

namespace fedload::kernels {
namespace {

class CpuReferenceBackend final : public HostForecasterBackend {
 public:
  explicit CpuReferenceBackend(const ForecasterDims& d) : HostForecasterBackend(d) {
    const std::size_t bth = static_cast<std::size_t>(d.B) * d.T * d.H;
    x_.resize(static_cast<std::size_t>(d.B) * d.T * d.I);
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

 private:
  void store_inputs(const float* x, int b) override {
    std::memcpy(x_.data(), x, sizeof(float) * static_cast<std::size_t>(b) * d_.T * d_.I);
  }
  const float* layer_input(int l) const { return l == 0 ? x_.data() : h_seq_[l - 1].data(); }

  void forward() override {
    require_batch();
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
    const std::size_t head = head_slot();
    linear_forward_reference(b_, d_.H, d_.O, h_last_.data(), p(head), p(head + 1), yhat_.data());
  }

  void backward() override {
    std::fill(grads_.begin(), grads_.end(), 0.0f);
    const std::size_t head = head_slot();
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
      const LstmParamGrads<float> lg = lstm_grads(l);
      // the gradient into this layer's input is the dh_seq of the layer below
      float* dx = l > 0 ? dh_below_.data() : nullptr;
      lstm_backward_reference(lstm_dims(l), layer_input(l), lstm_params(l), static_cast<const float*>(nullptr),
                              static_cast<const float*>(nullptr), h_seq_[l].data(), c_seq_[l].data(),
                              gates_[l].data(), dh_seq_.data(), static_cast<const float*>(nullptr), lg, dx,
                              static_cast<float*>(nullptr), static_cast<float*>(nullptr));
      if (l > 0) std::swap(dh_seq_, dh_below_);
    }
  }

  std::vector<float> x_, h_last_, dh_last_, dh_seq_, dh_below_;
  std::vector<std::vector<float>> h_seq_, c_seq_, gates_;  // per layer
};

}  // namespace

void register_cpu_reference_backends() {
  register_backend("cpu_reference", [](const ForecasterDims& d) {
    return std::make_unique<CpuReferenceBackend>(d);
  });
}

}  // namespace fedload::kernels
