#pragma once
// Launchers of the hand-written CUDA kernels (lstm_kernels.cu, persistent_lstm.cu,
// cluster_lstm.cu, register_lstm.cu). Plain C++ declarations, so host code in .cpp files calls
// them. Layouts are those of lstm.hpp: batch-
// major [b][T][...], gates i, f, g, o.
#include <cstdint>

#include <cuda_runtime.h>

#include "fedload/kernels/gpu_plan.hpp"

namespace fedload::kernels::cuda {

// One recurrent step t, fused: a = gates[b][t] (holding W_ih x_t on entry) + b_ih + b_hh +
// W_hh h_{t-1}, the four nonlinearities and the cell update. Overwrites gates[b][t] with the
// post-activation gates and writes h_seq[b][t], c_seq[b][t], h_prev_seq[b][t+1] (= h_t, the
// recurrent input of step t+1, which the W_hh gradient product reads; h_prev_seq[b][0] = 0).
void launch_lstm_step_forward(int b, int T, int H, int t, const float* w_hh, const float* b_ih, const float* b_hh,
                              float* gates, float* h_seq, float* h_prev_seq, float* c_seq, cudaStream_t s);

// All T steps in one cooperative launch, W_hh held in shared memory (plan from
// plan_persistent_lstm). Same inputs and outputs as T calls of launch_lstm_step_forward.
void launch_lstm_persistent_forward(const PersistentPlan& plan, int b, int T, int H, const float* w_hh,
                                    const float* b_ih, const float* b_hh, float* gates, float* h_seq,
                                    float* h_prev_seq, float* c_seq, cudaStream_t s);
// Blocks of the persistent kernel one SM holds with smem_bytes of dynamic shared memory.
int persistent_blocks_per_sm(std::size_t smem_bytes);

// A layer's whole forward / backward recurrence on one thread-block cluster (cluster_lstm.cu;
// plan from plan_cluster_lstm). Same inputs and outputs as T step-kernel launches.
void launch_lstm_cluster_forward(const ClusterPlan& plan, int b, int T, int H, const float* w_hh, const float* b_ih,
                                 const float* b_hh, float* gates, float* h_seq, float* h_prev_seq, float* c_seq,
                                 cudaStream_t s);
void launch_lstm_cluster_backward(const ClusterPlan& plan, int b, int T, int H, const float* w_hh, const float* gates,
                                  const float* c_seq, const float* dh_in, int last_only, float* dA, cudaStream_t s);
// Raises both cluster kernels' shared-memory limits (outside any graph capture) and returns how
// many such clusters the device can hold at once (0: the plan cannot run here).
int cluster_kernels_fit(const ClusterPlan& plan);

// A layer's whole forward / backward recurrence with W_hh in registers (register_lstm.cu; plan
// from plan_register_lstm), b samples in register_slices(plan, b) independent slices. Same
// inputs and outputs as T step-kernel launches (backward: W_hh itself, not its transpose).
void launch_lstm_register_forward(const RegisterPlan& plan, int b, int T, int H, const float* w_hh, const float* b_ih,
                                  const float* b_hh, float* gates, float* h_seq, float* h_prev_seq, float* c_seq,
                                  cudaStream_t s);
void launch_lstm_register_backward(const RegisterPlan& plan, int b, int T, int H, const float* w_hh,
                                   const float* gates, const float* c_seq, const float* dh_in, int last_only,
                                   float* dA, cudaStream_t s);
// How many slices of the plan's kernels the device holds at once, the smaller of forward and
// backward (0: they cannot run here).
int register_kernels_fit(const RegisterPlan& plan);

// One step t of backpropagation through time, fused: dh = dh_in + W_hh^T dA[b][t+1] (w_hhT is
// W_hh transposed, [H][4H], so the product reads rows), then the cell's local derivatives.
// dh_in is dense [b][T][H] when last_only == 0, else [b][H] and added at t = T-1 only. dc [b][H]
// carries dL/dc from step t+1 to t (not read at t = T-1). Writes dA[b][t] (pre-activation
// gradients, [b][T][4H]).
void launch_lstm_step_backward(int b, int T, int H, int t, const float* w_hhT, const float* gates, const float* c_seq,
                               const float* dh_in, int last_only, float* dc, float* dA, cudaStream_t s);

// yhat [n][O] += bias; with y: the loss (mean over n O values) into *loss, dyhat = dloss/dyhat
// and dbias[o] = sum_n dyhat[n][o]. kind 0 = MSE, 1 = L1.
void launch_head_loss(int n, int O, float* yhat, const float* bias, const float* y, float* dyhat, float* dbias,
                      double* loss, int kind, cudaStream_t s);

// *sumsq += sum g^2 (accumulated in double; zero *sumsq first).
void launch_sum_squares(std::size_t n, const float* g, double* sumsq, cudaStream_t s);

// FedProx's proximal gradient, in place: g += mu (p - center). Runs before launch_sum_squares
// and the optimizer step, so clipping sees it (the order of optimizer.hpp).
void launch_add_prox(std::size_t n, float* g, const float* p, const float* center, float mu, cudaStream_t s);

// Optimizer steps with torch.optim's rules (see optimizer.hpp). When sumsq is given, the
// gradient is first clipped in place to max_norm (clip_grad_norm_). step_size = lr / (1-b1^t),
// sqrt_bc2 = sqrt(1-b2^t).
void launch_adam(std::size_t n, float* p, float* g, float* m, float* v, float step_size, float sqrt_bc2, float b1,
                 float b2, float eps, float wd, const double* sumsq, float max_norm, cudaStream_t s);
void launch_sgd(std::size_t n, float* p, float* g, float* buf, float lr, float momentum, int first, float wd,
                const double* sumsq, float max_norm, cudaStream_t s);

// dst[index[k]] = src[k] (scatter) and dst[k] = src[index[k]] (gather), k < n.
void launch_scatter(std::size_t n, const float* src, const std::int64_t* index, float* dst, cudaStream_t s);
void launch_gather(std::size_t n, const float* src, const std::int64_t* index, float* dst, cudaStream_t s);

// NaN into n floats (tests poison outputs with it).
void launch_fill(std::size_t n, float value, float* dst, cudaStream_t s);

}  // namespace fedload::kernels::cuda
