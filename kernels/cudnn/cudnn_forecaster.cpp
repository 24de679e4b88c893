// The cuDNN LSTM stack. fedload's flat parameters are scattered into cuDNN's weight space before
// each forward (one kernel, through the index map that cudnn_weight_index builds from
// cudnnGetRNNWeightParams) and cuDNN's weight gradients gathered back after each backward.
// Data is sequence-major ([T][b][I], what cuDNN is fastest with, as PyTorch passes it); the
// batch is reordered on the host in load_batch, outside any timed region. The head reads h_{T-1}
// from hy and writes its gradient into dhy, so dy stays zero. The training step (scatter,
// cuDNN forward, head, cuDNN backward data and weights, gather) is captured into a CUDA graph
// and replayed, except for cudnn_eager or where capturing it is refused (detail() says which).
#include "cudnn_forecaster.hpp"

#include <cstdlib>
#include <limits>
#include <optional>
#include <vector>

#include "../cuda/device_forecaster.hpp"
#include "../cuda/lstm_kernels.cuh"
#include "cudnn_handles.hpp"
#include "fedload/core/error.hpp"
#include "fedload/kernels/cudnn_layout.hpp"
#include "fedload/kernels/gpu_backends.hpp"
#include "fedload/kernels/graph_replay.hpp"

namespace fedload::kernels::cudnn {

namespace {

using cuda::DeviceBuffer;
using cuda::RowView;

static_assert(static_cast<int>(CudnnMath::kFp32) == CUDNN_FMA_MATH, "CudnnMath must hold cudnnMathType_t values");
static_assert(static_cast<int>(CudnnMath::kTf32) == CUDNN_DEFAULT_MATH, "CudnnMath must hold cudnnMathType_t values");

// Everything that depends on the algorithm: descriptors and the spaces cuDNN sized for it.
struct RnnSetup {
  CudnnRnnAlgo algo = CudnnRnnAlgo::kStandard;
  RnnDescriptor rnn;
  RnnDataDescriptor x_desc, y_desc;
  TensorDescriptor h_desc, c_desc;
  std::size_t weight_bytes = 0, work_bytes = 0, reserve_bytes = 0;
  DeviceBuffer<float> weights, dweights;
  DeviceBuffer<unsigned char> work, reserve;
  DeviceBuffer<std::int64_t> index;  // flat LSTM parameter k lives at weights[index[k]]
  int batch = -1;                    // batch the data descriptors describe
  std::string capture_refused;       // why this setup's step could not be a CUDA graph ("" if it could)
};

class CudnnForecaster final : public cuda::DeviceForecaster {
 public:
  CudnnForecaster(const std::string& name, const ForecasterDims& d)
      : DeviceForecaster(name, d),
        plan_(cudnn_backend_plan(name)),
        n_lstm_(lstm_param_count(d)),
        x_sm_(std::size_t(d.T) * d.B * d.I),
        dx_(std::size_t(d.T) * d.B * d.I),
        y_sm_(std::size_t(d.T) * d.B * d.H),
        dy_(std::size_t(d.T) * d.B * d.H),
        hy_(std::size_t(d.layers) * d.B * d.H),
        cy_(std::size_t(d.layers) * d.B * d.H),
        dhy_(std::size_t(d.layers) * d.B * d.H),
        seq_lengths_(d.B) {
    CUDNN_CHECK(cudnnSetStream(handle_.get(), stream()));
    CUDNN_CHECK(cudnnSetDropoutDescriptor(dropout_.get(), handle_.get(), 0.0f, nullptr, 0, 0));
    const std::vector<int> lengths(d.B, d.T);
    CUDA_CHECK(cudaMemcpyAsync(seq_lengths_.get(), lengths.data(), lengths.size() * sizeof(int), cudaMemcpyHostToDevice,
                               stream()));
    // dy is all zeros: the loss reads only h_{T-1}, whose gradient enters through dhy
    CUDA_CHECK(cudaMemsetAsync(dy_.get(), 0, dy_.bytes(), stream()));
    if (plan_.math == CudnnMath::kTf32) allow_tf32_gemms();  // the head's GEMMs, like PyTorch's allow_tf32
    choose_algorithm(plan_.algorithms);
  }

  std::string detail() const override {
    return fmt::format("algo={}{}, {}", algo_name(setup_->algo), tried_, graph_detail());
  }
  std::string math_detail() const override {
    if (plan_.math == CudnnMath::kFp32) return math_name(plan_.math);
    const bool off = tf32_disabled_by_environment(std::getenv("NVIDIA_TF32_OVERRIDE"));
    return math_name(plan_.math) + ", head GEMMs tf32" +
           (off ? " [NVIDIA_TF32_OVERRIDE=0: the libraries run fp32]" : "");
  }
  void poison_outputs() override {
    // not dhy (its lower layers' slices are inputs that must stay zero) nor the weight space
    // (cuDNN may read its padding)
    poison(dx_);
    poison(y_sm_);
    poison(hy_);
    poison(cy_);
    poison(setup_->dweights);
    DeviceForecaster::poison_outputs();
  }
  std::string algorithm() const { return algo_name(setup_->algo); }

 protected:
  void on_batch_loaded(const float* x) override {
    // [b][T][I] -> [T][b][I]
    std::vector<float> sm(std::size_t(d_.T) * b_ * d_.I);
    for (int b = 0; b < b_; ++b)
      for (int t = 0; t < d_.T; ++t)
        for (int i = 0; i < d_.I; ++i)
          sm[(std::size_t(t) * b_ + b) * d_.I + i] = x[(std::size_t(b) * d_.T + t) * d_.I + i];
    CUDA_CHECK(cudaMemcpyAsync(x_sm_.get(), sm.data(), sm.size() * sizeof(float), cudaMemcpyHostToDevice, stream()));
    describe_batch(*setup_, b_);
    CUDA_CHECK(cudaStreamSynchronize(stream()));  // sm goes out of scope
  }

  bool graph_capture_allowed() const override { return plan_.graph; }

  RowView lstm_forward(bool training) override {
    RnnSetup& s = *setup_;
    cuda::launch_scatter(n_lstm_, params_.get(), s.index.get(), s.weights.get(), stream());
    CUDNN_CHECK(cudnnRNNForward(handle_.get(), s.rnn.get(), training ? CUDNN_FWD_MODE_TRAINING : CUDNN_FWD_MODE_INFERENCE,
                                seq_lengths_.get(), s.x_desc.get(), x_sm_.get(), s.y_desc.get(), y_sm_.get(),
                                s.h_desc.get(), nullptr, hy_.get(), s.c_desc.get(), nullptr, cy_.get(), s.weight_bytes,
                                s.weights.get(), s.work_bytes, s.work.get(), s.reserve_bytes, s.reserve.get()));
    return {hy_.get() + std::size_t(d_.layers - 1) * b_ * d_.H, d_.H};
  }

  RowView dh_last_target() override { return {dhy_.get() + std::size_t(d_.layers - 1) * b_ * d_.H, d_.H}; }

  void lstm_backward() override {
    RnnSetup& s = *setup_;
    CUDNN_CHECK(cudnnRNNBackwardData_v8(handle_.get(), s.rnn.get(), seq_lengths_.get(), s.y_desc.get(), y_sm_.get(),
                                        dy_.get(), s.x_desc.get(), dx_.get(), s.h_desc.get(), nullptr, dhy_.get(),
                                        nullptr, s.c_desc.get(), nullptr, nullptr, nullptr, s.weight_bytes,
                                        s.weights.get(), s.work_bytes, s.work.get(), s.reserve_bytes, s.reserve.get()));
    // cuDNN only accumulates weight gradients (CUDNN_WGRAD_MODE_ADD): clear them first
    CUDA_CHECK(cudaMemsetAsync(s.dweights.get(), 0, s.weight_bytes, stream()));
    CUDNN_CHECK(cudnnRNNBackwardWeights_v8(handle_.get(), s.rnn.get(), CUDNN_WGRAD_MODE_ADD, seq_lengths_.get(),
                                           s.x_desc.get(), x_sm_.get(), s.h_desc.get(), nullptr, s.y_desc.get(),
                                           y_sm_.get(), s.weight_bytes, s.dweights.get(), s.work_bytes, s.work.get(),
                                           s.reserve_bytes, s.reserve.get()));
    cuda::launch_gather(n_lstm_, s.dweights.get(), s.index.get(), grads_.get(), stream());
  }

 private:
  std::unique_ptr<RnnSetup> make_setup(CudnnRnnAlgo algo) {
    auto s = std::make_unique<RnnSetup>();
    s->algo = algo;
    // FP32 data and compute precision; the math type says whether TF32 tensor cores may be used
    // (CudnnMath: CUDNN_FMA_MATH = strict FP32, CUDNN_DEFAULT_MATH = TF32 allowed, as PyTorch
    // picks with allow_tf32 off / on)
    CUDNN_CHECK(cudnnSetRNNDescriptor_v8(s->rnn.get(), static_cast<cudnnRNNAlgo_t>(algo), CUDNN_LSTM,
                                         CUDNN_RNN_DOUBLE_BIAS, CUDNN_UNIDIRECTIONAL, CUDNN_LINEAR_INPUT,
                                         CUDNN_DATA_FLOAT, CUDNN_DATA_FLOAT, static_cast<cudnnMathType_t>(plan_.math),
                                         d_.I, d_.H, d_.H, d_.layers, dropout_.get(), CUDNN_RNN_PADDED_IO_DISABLED));
    describe_batch(*s, d_.B);  // sizes for the largest batch cover every smaller one
    CUDNN_CHECK(cudnnGetRNNWeightSpaceSize(handle_.get(), s->rnn.get(), &s->weight_bytes));
    CUDNN_CHECK(cudnnGetRNNTempSpaceSizes(handle_.get(), s->rnn.get(), CUDNN_FWD_MODE_TRAINING, s->x_desc.get(),
                                          &s->work_bytes, &s->reserve_bytes));
    s->weights = DeviceBuffer<float>((s->weight_bytes + 3) / 4);
    s->dweights = DeviceBuffer<float>((s->weight_bytes + 3) / 4);
    s->work = DeviceBuffer<unsigned char>(s->work_bytes);
    s->reserve = DeviceBuffer<unsigned char>(s->reserve_bytes);
    // padding inside the weight space stays zero
    CUDA_CHECK(cudaMemsetAsync(s->weights.get(), 0, s->weight_bytes, stream()));
    const auto index = cudnn_weight_index(d_, weight_regions(*s), s->weight_bytes / sizeof(float));
    s->index = DeviceBuffer<std::int64_t>(index.size());
    CUDA_CHECK(cudaMemcpyAsync(s->index.get(), index.data(), index.size() * sizeof(std::int64_t),
                               cudaMemcpyHostToDevice, stream()));
    CUDA_CHECK(cudaStreamSynchronize(stream()));
    return s;
  }

  void describe_batch(RnnSetup& s, int b) {
    if (s.batch == b) return;
    const std::vector<int> lengths(b, d_.T);
    float pad = 0.0f;
    CUDNN_CHECK(cudnnSetRNNDataDescriptor(s.x_desc.get(), CUDNN_DATA_FLOAT, CUDNN_RNN_DATA_LAYOUT_SEQ_MAJOR_PACKED, d_.T,
                                          b, d_.I, lengths.data(), &pad));
    CUDNN_CHECK(cudnnSetRNNDataDescriptor(s.y_desc.get(), CUDNN_DATA_FLOAT, CUDNN_RNN_DATA_LAYOUT_SEQ_MAJOR_PACKED, d_.T,
                                          b, d_.H, lengths.data(), &pad));
    const int dims[3] = {d_.layers, b, d_.H};
    const int strides[3] = {b * d_.H, d_.H, 1};
    CUDNN_CHECK(cudnnSetTensorNdDescriptor(s.h_desc.get(), CUDNN_DATA_FLOAT, 3, dims, strides));
    CUDNN_CHECK(cudnnSetTensorNdDescriptor(s.c_desc.get(), CUDNN_DATA_FLOAT, 3, dims, strides));
    // a new batch moves the top layer's slice of dhy; the other layers' slices must read zero
    CUDA_CHECK(cudaMemsetAsync(dhy_.get(), 0, dhy_.bytes(), stream()));
    s.batch = b;
  }

  std::vector<CudnnParamRegion> weight_regions(const RnnSetup& s) {
    std::vector<CudnnParamRegion> regions;
    TensorDescriptor m_desc, b_desc;
    const auto* base = reinterpret_cast<const unsigned char*>(s.weights.get());
    for (int layer = 0; layer < d_.layers; ++layer) {
      for (int id = 0; id < 8; ++id) {
        void* m_addr = nullptr;
        void* b_addr = nullptr;
        CUDNN_CHECK(cudnnGetRNNWeightParams(handle_.get(), s.rnn.get(), layer, s.weight_bytes, s.weights.get(), id,
                                            m_desc.get(), &m_addr, b_desc.get(), &b_addr));
        for (int is_bias = 0; is_bias < 2; ++is_bias) {
          cudnnDataType_t type;
          int nb = 0, dims[3] = {0, 0, 0}, strides[3] = {0, 0, 0};
          CUDNN_CHECK(cudnnGetTensorNdDescriptor(is_bias ? b_desc.get() : m_desc.get(), 3, &type, &nb, dims, strides));
          const auto* addr = static_cast<const unsigned char*>(is_bias ? b_addr : m_addr);
          CudnnParamRegion r;
          r.layer = layer;
          r.lin_id = id;
          r.bias = is_bias != 0;
          r.offset = std::size_t(addr - base) / sizeof(float);
          r.rows = dims[1];
          r.cols = dims[2];
          regions.push_back(r);
        }
      }
    }
    return regions;
  }

  // Keeps the fastest algorithm among the candidates that train this shape; a single candidate
  // is kept if it trains at all. Each is probed with real training steps, because some
  // algorithms accept the descriptor and refuse only at the first forward or backward call,
  // and timed the way it will run: replayed as a CUDA graph (or eagerly, where this backend
  // does not capture or where capturing this algorithm's calls was refused).
  void choose_algorithm(const std::vector<CudnnRnnAlgo>& candidates) {
    std::string refused;
    double best = std::numeric_limits<double>::infinity();
    for (CudnnRnnAlgo algo : candidates) {
      try {
        // graphs hold the previous setup's descriptors and buffers: drop them before those go
        reset_graphs();
        setup_ = make_setup(algo);
        const double sec = time_candidate();
        setup_->capture_refused = graph_refusal();
        // names only: the detail must not change between two constructions that pick the same
        tried_ += fmt::format(" {}", algo_name(algo));
        if (sec < best) {
          best = sec;
          chosen_ = std::move(setup_);
        }
      } catch (const Error& e) {
        // a refused algorithm must not leave a half-built setup or a sticky error behind
        CUDA_CHECK(cudaStreamSynchronize(stream()));
        (void)cudaGetLastError();
        refused += fmt::format("; {}: {}", algo_name(algo), e.what());
        tried_ += fmt::format(" {}=refused", algo_name(algo));
      }
    }
    setup_ = std::move(chosen_);
    if (!setup_) throw_input_error("{}: no cuDNN RNN algorithm trains this shape{}", name_, refused);
    // the last candidate's graphs are not the chosen one's; keep what capturing it taught us
    reset_graphs(setup_->capture_refused);
    tried_ = candidates.size() > 1 ? fmt::format(" (fastest of{})", tried_) : std::string();
    b_ = 0;
    has_targets_ = false;
  }

  // Mean seconds of 3 training steps on placeholder data (not zeros, see METHOD: zeros can run
  // faster than real data). Training mode, so algorithms that cannot train are refused here.
  double time_candidate() {
    cuda::launch_fill(P_, 0.05f, params_.get(), stream());
    cuda::launch_fill(x_sm_.size(), 0.3f, x_sm_.get(), stream());
    cuda::launch_fill(y_.size(), 0.7f, y_.get(), stream());
    b_ = d_.B;
    has_targets_ = true;
    describe_batch(*setup_, d_.B);
    // warm-up: an eager step (throws if the algorithm cannot train), then the step that captures
    // the graph (GraphReplayPolicy), so the timed steps are replays
    forward_backward(LossKind::kMse);
    forward_backward(LossKind::kMse);
    cuda::Event start, stop;
    CUDA_CHECK(cudaEventRecord(start.get(), stream()));
    for (int r = 0; r < 3; ++r) forward_backward(LossKind::kMse);
    CUDA_CHECK(cudaEventRecord(stop.get(), stream()));
    CUDA_CHECK(cudaEventSynchronize(stop.get()));
    float ms = 0.0f;
    CUDA_CHECK(cudaEventElapsedTime(&ms, start.get(), stop.get()));
    return double(ms) * 1e-3 / 3.0;
  }

  CudnnBackendPlan plan_;
  Handle handle_;
  DropoutDescriptor dropout_;
  std::size_t n_lstm_;
  DeviceBuffer<float> x_sm_, dx_, y_sm_, dy_, hy_, cy_, dhy_;
  DeviceBuffer<int> seq_lengths_;
  std::unique_ptr<RnnSetup> setup_, chosen_;
  std::string tried_;
};

}  // namespace

std::unique_ptr<ForecasterBackend> make_cudnn_forecaster(const std::string& name, const ForecasterDims& d) {
  return std::make_unique<CudnnForecaster>(name, d);
}

}  // namespace fedload::kernels::cudnn
