// "cpu": the default forecaster (stacked LSTM -> Linear head on the last hidden state -> loss)
// built for speed on one core: time-major activations, the step's GEMMs and gate loops on
// run-time chosen SIMD kernels, OpenBLAS for the head (lstm_layer.hpp, bench/README.md). The loss, clipping and optimizer are the shared flat-buffer code of
// loss.hpp and optimizer.hpp, so a step here differs from cpu_reference only by float
// rounding in the LSTM and head.
#include <algorithm>
#include <cstring>
#include <vector>

#include "fedload/core/error.hpp"
#include "fedload/kernels/backend.hpp"
#include "fedload/kernels/cpu_fast.hpp"
#include "fedload/kernels/loss.hpp"
#include "fedload/kernels/optimizer.hpp"
#include "fedload/kernels/registration.hpp"
#include "../host_backend.hpp"
#include "lstm_layer.hpp"
#include "simd_kernels.hpp"

namespace fedload::kernels {
namespace {

using cpu_fast::SimdKernels;

// Floats held per backend; cpu_backend_bytes and the constructor must agree (see
// bench/README.md for the formula).
struct CpuBuffers {
  std::size_t params, x, y, act_per_layer, dh, dc, scratch;
  explicit CpuBuffers(const ForecasterDims& d) {
    const std::size_t B = d.B, T = d.T, I = d.I, H = d.H, O = d.O;
    params = forecaster_param_count(d);
    x = B * T * I;
    y = B * O;
    act_per_layer = B * T * H * 6;  // h, c and the four gates
    dh = B * T * H;                 // one of the two dh buffers
    dc = B * H;
    // summed bias, packed weights and rows, [dW_ih | dW_hh | db], for the widest panel of any
    // SIMD build
    scratch = cpu_fast::lstm_scratch_floats(cpu_fast::kMaxPanel, std::max(d.I, d.H), d.H, d.B * d.T).total();
  }
  std::size_t total_floats(int layers) const {
    // params, grads, Adam m and v; y, yhat, dyhat; two dh buffers
    return 4 * params + x + 3 * y + static_cast<std::size_t>(layers) * act_per_layer + 2 * dh + dc + scratch;
  }
};

class CpuFastBackend final : public HostForecasterBackend {
 public:
  explicit CpuFastBackend(const ForecasterDims& d) : HostForecasterBackend(d), k_(cpu_fast::simd_kernels()) {
    const CpuBuffers n(d);
    x_.resize(n.x);
    const std::size_t bth = n.dh;
    for (int l = 0; l < d.layers; ++l) {
      h_.emplace_back(bth);
      c_.emplace_back(bth);
      gates_.emplace_back(4 * bth);
    }
    dh_.resize(bth);
    dh_below_.resize(bth);
    dc_.resize(n.dc);
    const auto sizes = cpu_fast::lstm_scratch_floats(k_.panel, std::max(d.I, d.H), d.H, d.B * d.T);
    scratch_.resize(sizes.total());
    float* s = scratch_.data();
    scratch_view_.bias = s;
    scratch_view_.packed_w_hh = s += sizes.bias;
    scratch_view_.packed_w_ih = s += sizes.packed_w_hh;
    scratch_view_.packed_rows = s += sizes.packed_w_ih;
    scratch_view_.dw = s += sizes.packed_rows;
  }

  std::string name() const override { return "cpu"; }

 private:
  void store_inputs(const float* x, int b) override {
    // x [b][T][I] -> time-major [T][b][I], the layout every GEMM of the layer reads
    const std::size_t T = d_.T, I = d_.I;
    for (std::size_t s = 0; s < static_cast<std::size_t>(b); ++s) {
      for (std::size_t t = 0; t < T; ++t) {
        std::memcpy(x_.data() + (t * b + s) * I, x + (s * T + t) * I, sizeof(float) * I);
      }
    }
  }

  const float* layer_input(int l) const { return l == 0 ? x_.data() : h_[l - 1].data(); }
  // h_{T-1} of the top layer: the last [b][H] block of its time-major h
  const float* h_last() const { return h_.back().data() + static_cast<std::size_t>(d_.T - 1) * b_ * d_.H; }

  void forward() override {
    require_batch();
    for (int l = 0; l < d_.layers; ++l) {
      cpu_fast::lstm_layer_forward(k_, lstm_dims(l), layer_input(l), lstm_params(l), scratch_view_, h_[l].data(),
                                   c_[l].data(), gates_[l].data());
    }
    // yhat = h_last W^T + b
    const std::size_t head = head_slot();
    k_.broadcast_rows(b_, d_.O, p(head + 1), yhat_.data());
    cpu_sgemm(false, true, b_, d_.O, d_.H, 1.0f, h_last(), d_.H, p(head), d_.H, 1.0f, yhat_.data(), d_.O);
  }

  void backward() override {
    const std::size_t head = head_slot();
    const std::size_t bh = static_cast<std::size_t>(b_) * d_.H;
    // head: dW = dy^T h_last, db = column sums of dy, and dh_{T-1} = dy W; every other step of
    // the top layer gets no gradient from above
    cpu_sgemm(true, false, d_.O, d_.H, b_, 1.0f, dyhat_.data(), d_.O, h_last(), d_.H, 0.0f, g(head), d_.H);
    k_.column_sums(b_, d_.O, dyhat_.data(), g(head + 1));
    std::fill(dh_.begin(), dh_.begin() + static_cast<std::ptrdiff_t>((d_.T - 1) * bh), 0.0f);
    cpu_sgemm(false, false, b_, d_.H, d_.O, 1.0f, dyhat_.data(), d_.O, p(head), d_.H, 0.0f,
              dh_.data() + (d_.T - 1) * bh, d_.H);
    for (int l = d_.layers - 1; l >= 0; --l) {
      const LstmParamGrads<float> lg = lstm_grads(l);
      // the gradient into this layer's input is the dh of the layer below
      float* dx = l > 0 ? dh_below_.data() : nullptr;
      cpu_fast::lstm_layer_backward(k_, lstm_dims(l), layer_input(l), lstm_params(l), scratch_view_, h_[l].data(),
                                    c_[l].data(), gates_[l].data(), dh_.data(), dc_.data(), lg, dx);
      if (l > 0) std::swap(dh_, dh_below_);
    }
  }

  const SimdKernels& k_;
  std::vector<float> x_, dh_, dh_below_, dc_, scratch_;
  cpu_fast::LstmScratch scratch_view_{};  // slices of scratch_
  std::vector<std::vector<float>> h_, c_, gates_;  // per layer, time-major
};

}  // namespace

std::size_t cpu_backend_bytes(const ForecasterDims& d) {
  check_forecaster_dims(d);
  return sizeof(float) * CpuBuffers(d).total_floats(d.layers);
}

void register_cpu_fast_backends() {
  register_backend("cpu", [](const ForecasterDims& d) { return std::make_unique<CpuFastBackend>(d); });
}

}  // namespace fedload::kernels
