// The `cuda` LSTM stack. Per layer, forward: the input projection of all T steps is ONE SGEMM
// ([bT][I_l] x W_ih^T into gates), then T fused step kernels (or one persistent kernel) add the
// recurrent product, apply the nonlinearities and update the cell. Backward: T fused step
// kernels (recurrent product with W_hh^T + local derivatives), then the weight gradients of all
// steps as ONE SGEMM each (dA^T x and dA^T h_prev), bias gradients as one GEMV, and the input
// gradient for the layer below as one SGEMM.
#include "cuda_forecaster.hpp"

#include <algorithm>
#include <cstdlib>

#include "device_forecaster.hpp"
#include "fedload/core/error.hpp"
#include "fedload/kernels/device_info.hpp"
#include "fedload/kernels/gpu_plan.hpp"
#include "lstm_kernels.cuh"

namespace fedload::kernels::cuda {

namespace {

enum { kWih = 0, kWhh = 1, kBih = 2, kBhh = 3 };

class CudaForecaster final : public DeviceForecaster {
 public:
  CudaForecaster(const std::string& name, const ForecasterDims& d, Recurrence rec, bool graph)
      : DeviceForecaster(name, d), recurrence_(rec), graph_(graph) {
    const std::size_t BT = std::size_t(d.B) * d.T;
    for (int l = 0; l < d.layers; ++l) {
      Layer L;
      L.gates = DeviceBuffer<float>(BT * 4 * d.H);
      L.h_seq = DeviceBuffer<float>(BT * d.H);
      L.h_prev = DeviceBuffer<float>(BT * d.H);
      L.c_seq = DeviceBuffer<float>(BT * d.H);
      layers_.push_back(std::move(L));
    }
    dA_ = DeviceBuffer<float>(BT * 4 * d.H);
    dh_above_ = DeviceBuffer<float>(d.layers > 1 ? BT * d.H : 0);
    dh_last_ = DeviceBuffer<float>(std::size_t(d.B) * d.H);
    dc_ = DeviceBuffer<float>(std::size_t(d.B) * d.H);
    w_hhT_ = DeviceBuffer<float>(std::size_t(4) * d.H * d.H);
    if (rec == Recurrence::kPersistent) plan_persistent();
    if (rec == Recurrence::kCluster) plan_cluster();
    if (rec == Recurrence::kRegister) plan_register();
  }

  // how the recurrence runs, then whether the step is replayed as a graph ("graph", "eager",
  // "eager (capture refused: ...)": GraphReplayPolicy)
  std::string detail() const override { return recurrence_detail() + ", " + graph_detail(); }

  std::string recurrence_detail() const {
    if (recurrence_ == Recurrence::kRegister)
      return fmt::format("W_hh in registers: bucket H<={}, {} slice(s) of {} sample(s) x {} CTA(s) x {} threads, "
                         "{} weight registers/thread, {} wave(s)",
                         register_.bucket, register_.slices, register_.slice_batch, register_.cluster,
                         register_.threads, register_.weight_registers, register_.waves);
    if (recurrence_ == Recurrence::kCluster)
      return fmt::format("cluster of {} CTAs, units/CTA={} smem fwd={}B bwd={}B", cluster_.cluster,
                         cluster_.units_per_block, cluster_.smem_forward, cluster_.smem_backward);
    if (recurrence_ == Recurrence::kPersistent)
      return fmt::format("persistent blocks={} units/block={} smem={}B", plan_.blocks, plan_.units_per_block,
                         plan_.smem_bytes);
    return "step kernels";
  }

  void poison_outputs() override {
    for (Layer& L : layers_) {
      poison(L.gates);
      poison(L.h_seq);
      poison(L.h_prev);
      poison(L.c_seq);
    }
    poison(dA_);
    poison(dh_above_);
    poison(dh_last_);
    poison(dc_);
    poison(w_hhT_);
    DeviceForecaster::poison_outputs();
  }

 protected:
  bool graph_capture_allowed() const override { return graph_; }

  RowView lstm_forward(bool /*training*/) override {
    const int H = d_.H, T = d_.T;
    for (int l = 0; l < d_.layers; ++l) {
      Layer& L = layers_[l];
      const int in = l == 0 ? d_.I : H;
      const float* X = l == 0 ? x_.get() : layers_[l - 1].h_seq.get();
      // gates [bT][4H] = X [bT][in] W_ih^T: every step's input projection in one product
      gemm_rm(blas(), false, true, b_ * T, 4 * H, in, 1.0f, X, in, param(lstm_slot(l, kWih)), in, 0.0f,
              L.gates.get(), 4 * H);
      const float* w_hh = param(lstm_slot(l, kWhh));
      const float* b_ih = param(lstm_slot(l, kBih));
      const float* b_hh = param(lstm_slot(l, kBhh));
      if (recurrence_ == Recurrence::kRegister) {
        launch_lstm_register_forward(register_, b_, T, H, w_hh, b_ih, b_hh, L.gates.get(), L.h_seq.get(),
                                     L.h_prev.get(), L.c_seq.get(), stream());
      } else if (recurrence_ == Recurrence::kCluster) {
        launch_lstm_cluster_forward(cluster_, b_, T, H, w_hh, b_ih, b_hh, L.gates.get(), L.h_seq.get(), L.h_prev.get(),
                                    L.c_seq.get(), stream());
      } else if (recurrence_ == Recurrence::kPersistent) {
        launch_lstm_persistent_forward(plan_, b_, T, H, w_hh, b_ih, b_hh, L.gates.get(), L.h_seq.get(),
                                       L.h_prev.get(), L.c_seq.get(), stream());
      } else {
        for (int t = 0; t < T; ++t)
          launch_lstm_step_forward(b_, T, H, t, w_hh, b_ih, b_hh, L.gates.get(), L.h_seq.get(), L.h_prev.get(),
                                   L.c_seq.get(), stream());
      }
    }
    return {layers_.back().h_seq.get() + std::size_t(T - 1) * H, T * H};
  }

  RowView dh_last_target() override { return {dh_last_.get(), d_.H}; }

  void lstm_backward() override {
    const int H = d_.H, T = d_.T, N = b_ * T;
    for (int l = d_.layers - 1; l >= 0; --l) {
      Layer& L = layers_[l];
      const int in = l == 0 ? d_.I : H;
      const float* X = l == 0 ? x_.get() : layers_[l - 1].h_seq.get();
      const float one = 1.0f, zero = 0.0f;
      const bool top = l == d_.layers - 1;
      const float* dh_in = top ? dh_last_.get() : dh_above_.get();
      if (recurrence_ == Recurrence::kRegister) {
        launch_lstm_register_backward(register_, b_, T, H, param(lstm_slot(l, kWhh)), L.gates.get(), L.c_seq.get(),
                                      dh_in, top ? 1 : 0, dA_.get(), stream());
      } else if (recurrence_ == Recurrence::kCluster) {
        launch_lstm_cluster_backward(cluster_, b_, T, H, param(lstm_slot(l, kWhh)), L.gates.get(), L.c_seq.get(), dh_in,
                                     top ? 1 : 0, dA_.get(), stream());
      } else {
        // W_hh^T [H][4H], so the backward step reads rows of it
        CUBLAS_CHECK(cublasSgeam(blas(), CUBLAS_OP_T, CUBLAS_OP_N, 4 * H, H, &one, param(lstm_slot(l, kWhh)), H, &zero,
                                 w_hhT_.get(), 4 * H, w_hhT_.get(), 4 * H));
        for (int t = T - 1; t >= 0; --t)
          launch_lstm_step_backward(b_, T, H, t, w_hhT_.get(), L.gates.get(), L.c_seq.get(), dh_in, top ? 1 : 0,
                                    dc_.get(), dA_.get(), stream());
      }
      // weight gradients of all steps at once: dW_ih = dA^T X, dW_hh = dA^T h_prev
      gemm_rm(blas(), true, false, 4 * H, in, N, 1.0f, dA_.get(), 4 * H, X, in, 0.0f, grad(lstm_slot(l, kWih)), in);
      gemm_rm(blas(), true, false, 4 * H, H, N, 1.0f, dA_.get(), 4 * H, L.h_prev.get(), H, 0.0f,
              grad(lstm_slot(l, kWhh)), H);
      // db_ih = db_hh = column sums of dA
      CUBLAS_CHECK(cublasSgemv(blas(), CUBLAS_OP_N, 4 * H, N, &one, dA_.get(), 4 * H, ones_.get(), 1, &zero,
                               grad(lstm_slot(l, kBih)), 1));
      CUDA_CHECK(cudaMemcpyAsync(grad(lstm_slot(l, kBhh)), grad(lstm_slot(l, kBih)), std::size_t(4) * H * sizeof(float),
                                 cudaMemcpyDeviceToDevice, stream()));
      // the gradient reaching the layer below through its output: dX = dA W_ih
      if (l > 0)
        gemm_rm(blas(), false, false, N, H, 4 * H, 1.0f, dA_.get(), 4 * H, param(lstm_slot(l, kWih)), H, 0.0f,
                dh_above_.get(), H);
    }
  }

 private:
  struct Layer {
    DeviceBuffer<float> gates, h_seq, h_prev, c_seq;
  };

  void plan_persistent() {
    std::string why;
    const auto devices = query_devices(&why);
    int dev = 0;
    CUDA_CHECK(cudaGetDevice(&dev));
    if (devices.empty() || dev >= int(devices.size())) throw_runtime_error("no CUDA device: {}", why);
    const DeviceInfo& info = devices[dev];
    if (!info.cooperative_launch)
      throw_runtime_error("{}: {} does not support cooperative launches", name_, info.name);
    const auto plan = plan_persistent_lstm(d_.H, info.sm_count, info.smem_per_block_optin, &why);
    if (!plan) throw_input_error("{}: {}", name_, why);
    plan_ = *plan;
    const int per_sm = persistent_blocks_per_sm(plan_.smem_bytes);
    if (per_sm * info.sm_count < plan_.blocks)
      throw_input_error("{}: {} blocks of the persistent kernel cannot all be resident ({} per SM x {} SMs)", name_,
                        plan_.blocks, per_sm, info.sm_count);
  }

  void plan_cluster() {
    std::string why;
    const DeviceInfo info = current_device();
    if (info.cc_major < 9) throw_input_error("{}: thread-block clusters need compute capability 9.0, {} has {}.{}",
                                             name_, info.name, info.cc_major, info.cc_minor);
    std::string refusals;
    std::vector<int> sizes = cluster_sizes_to_try(d_.H);
    if (const char* forced = std::getenv("FEDLOAD_CUDA_CLUSTER")) sizes = {std::atoi(forced)};
    for (int size : sizes) {
      const auto plan = plan_cluster_lstm(d_.H, d_.B, size, info.smem_per_block_optin, &why);
      if (!plan) {
        refusals += "; " + why;
        continue;
      }
      if (cluster_kernels_fit(*plan) < 1) {
        refusals += fmt::format("; a cluster of {} with {} B of shared memory per CTA cannot be scheduled", size,
                                std::max(plan->smem_forward, plan->smem_backward));
        continue;
      }
      cluster_ = *plan;
      return;
    }
    throw_input_error("{}: no cluster plan fits{}", name_, refusals);
  }

  void plan_register() {
    std::string why;
    const DeviceInfo info = current_device();
    const auto plan = plan_register_lstm(d_.H, d_.B, info.sm_count, &why);
    if (!plan) throw_input_error("{}: {}", name_, why);
    if (plan->cluster > 1 && info.cc_major < 9)
      throw_input_error("{}: H={} runs on clusters of {} CTAs, which need compute capability 9.0; {} has {}.{}", name_,
                        d_.H, plan->cluster, info.name, info.cc_major, info.cc_minor);
    if (register_kernels_fit(*plan) < 1)
      throw_input_error("{}: the kernels for H<={} ({} threads, {} weight registers each) cannot be scheduled on {}",
                        name_, plan->bucket, plan->threads, plan->weight_registers, info.name);
    register_ = *plan;
  }

  DeviceInfo current_device() const {
    std::string why;
    const auto devices = query_devices(&why);
    int dev = 0;
    CUDA_CHECK(cudaGetDevice(&dev));
    if (devices.empty() || dev >= int(devices.size())) throw_runtime_error("no CUDA device: {}", why);
    return devices[dev];
  }

  Recurrence recurrence_;
  ClusterPlan cluster_;
  RegisterPlan register_;
  bool graph_;
  PersistentPlan plan_;
  std::vector<Layer> layers_;
  DeviceBuffer<float> dA_, dh_above_, dh_last_, dc_, w_hhT_;
};

}  // namespace

std::unique_ptr<ForecasterBackend> make_cuda_forecaster(const std::string& name, const ForecasterDims& d,
                                                        Recurrence recurrence, bool graph) {
  return std::make_unique<CudaForecaster>(name, d, recurrence, graph);
}

}  // namespace fedload::kernels::cuda
