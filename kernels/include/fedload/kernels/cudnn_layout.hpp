#pragma once
// Host-side logic of the cuDNN backend, in plain C++ so that CI (no GPU) tests it: mapping
// fedload's flat LSTM parameters to cuDNN's weight space and back, and which RNN algorithms a
// backend name asks for.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fedload/kernels/backend.hpp"

namespace fedload::kernels {

// One matrix or bias vector of cuDNN's weight space as cudnnGetRNNWeightParams reports it:
// lin_id 0..3 are the input weights of gates i, f, g, o (rows H, cols I_l), 4..7 the recurrent
// ones (rows H, cols H); biases (cols 1) follow the same ids (CUDNN_RNN_DOUBLE_BIAS: 0..3 b_ih,
// 4..7 b_hh). offset is in floats from the start of the weight space; the matrix is row-major.
struct CudnnParamRegion {
  int layer = 0;
  int lin_id = 0;
  bool bias = false;
  std::size_t offset = 0;
  int rows = 0;
  int cols = 0;
};

// For every float of the LSTM part of fedload's flat layout (offsets [0, lstm_params(d)): the
// slots lstm.l.*), its index in cuDNN's weight space. Throws fedload::Error when a region is
// missing, has an unexpected shape, lies outside weight_space_floats, or overlaps another.
std::vector<std::int64_t> cudnn_weight_index(const ForecasterDims& d, const std::vector<CudnnParamRegion>& regions,
                                             std::size_t weight_space_floats);

// Number of floats of the LSTM slots (everything before head.w).
std::size_t lstm_param_count(const ForecasterDims& d);

// cuDNN's RNN algorithms, in the order cudnnRNNAlgo_t numbers them.
enum class CudnnRnnAlgo { kStandard = 0, kPersistStatic = 1, kPersistDynamic = 2, kPersistStaticSmallH = 3 };
std::string algo_name(CudnnRnnAlgo a);  // "standard", "persist_static", ...

// Algorithms a backend name asks for: "cudnn" tries every static one (the fastest that runs
// wins), "cudnn_standard" / "cudnn_persist_static" / "cudnn_persist_small_h" exactly one.
// Throws fedload::InputError for any other name.
std::vector<CudnnRnnAlgo> cudnn_algorithm_candidates(const std::string& backend_name);

// Matrix math of the cuDNN RNN (and of the cuBLAS head GEMMs beside it). Values are
// cudnnMathType_t's (checked against cudnn.h where the backend is compiled).
//   kFp32: CUDNN_FMA_MATH, FP32 FMA kernels only (PyTorch's choice with allow_tf32 off).
//   kTf32: CUDNN_DEFAULT_MATH, which lets cuDNN use TF32 tensor cores for FP32 data on Ampere
//          and later (PyTorch's choice with allow_tf32 on); CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION
//          would also allow converting FP32 data down to FP16, which is not TF32. The head's
//          GEMMs run in CUBLAS_TF32_TENSOR_OP_MATH.
enum class CudnnMath { kTf32 = 0, kFp32 = 3 };
std::string math_name(CudnnMath m);  // "fp32 (CUDNN_FMA_MATH)", "tf32 (CUDNN_DEFAULT_MATH)"

// Everything a cuDNN backend name decides: the algorithms timed at construction (the fastest
// kept), the math, and whether the training step is captured into a CUDA graph and replayed.
struct CudnnBackendPlan {
  std::vector<CudnnRnnAlgo> algorithms;
  CudnnMath math = CudnnMath::kFp32;
  bool graph = true;
};
// cudnn (every static algorithm, FP32, graph), cudnn_eager (the same without the graph),
// cudnn_tf32 (every static algorithm, TF32, graph), cudnn_standard / cudnn_persist_static /
// cudnn_persist_small_h (one algorithm, FP32, graph). Throws fedload::InputError naming the
// known names for any other.
CudnnBackendPlan cudnn_backend_plan(const std::string& backend_name);
// The names cudnn_backend_plan accepts, in registration order.
std::vector<std::string> cudnn_backend_names();

}  // namespace fedload::kernels
