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

}  // namespace fedload::kernels
