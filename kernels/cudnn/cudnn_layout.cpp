// fedload flat layout <-> cuDNN weight space, and what each cuDNN backend name runs (algorithms,
// math, graph).
#include "fedload/kernels/cudnn_layout.hpp"

#include <algorithm>

#include "fedload/core/error.hpp"

namespace fedload::kernels {

std::size_t lstm_param_count(const ForecasterDims& d) {
  for (const ParamSlot& s : forecaster_layout(d))
    if (s.name == "head.w") return s.offset;
  throw_runtime_error("forecaster layout has no head.w slot");
}

std::vector<std::int64_t> cudnn_weight_index(const ForecasterDims& d, const std::vector<CudnnParamRegion>& regions,
                                             std::size_t weight_space_floats) {
  const std::size_t n = lstm_param_count(d);
  std::vector<std::int64_t> index(n, -1);
  std::vector<char> taken(weight_space_floats, 0);
  const auto layout = forecaster_layout(d);
  auto slot_offset = [&](int layer, const char* what) {
    const std::string name = "lstm." + std::to_string(layer) + "." + what;
    for (const ParamSlot& s : layout)
      if (s.name == name) return s.offset;
    throw_runtime_error("forecaster layout has no slot {}", name);
  };
  std::vector<char> seen(static_cast<std::size_t>(d.layers) * 16, 0);
  for (const CudnnParamRegion& r : regions) {
    if (r.layer < 0 || r.layer >= d.layers || r.lin_id < 0 || r.lin_id > 7)
      throw_runtime_error("cuDNN weight region layer={} id={} is outside the model", r.layer, r.lin_id);
    const bool recurrent = r.lin_id >= 4;
    const int gate = r.lin_id % 4;
    const int in = r.layer == 0 ? d.I : d.H;
    const int want_cols = r.bias ? 1 : (recurrent ? d.H : in);
    if (r.rows != d.H || r.cols != want_cols)
      throw_runtime_error("cuDNN weight region layer={} id={}{} is {}x{}, expected {}x{}", r.layer, r.lin_id,
                          r.bias ? " (bias)" : "", r.rows, r.cols, d.H, want_cols);
    char& s = seen[static_cast<std::size_t>(r.layer) * 16 + r.lin_id * 2 + (r.bias ? 1 : 0)];
    if (s) throw_runtime_error("cuDNN weight region layer={} id={} reported twice", r.layer, r.lin_id);
    s = 1;
    const std::size_t count = static_cast<std::size_t>(r.rows) * r.cols;
    if (r.offset + count > weight_space_floats)
      throw_runtime_error("cuDNN weight region layer={} id={} ends past the weight space ({} floats)", r.layer,
                          r.lin_id, weight_space_floats);
    // gate k of w_ih / w_hh is rows [k H, (k+1) H) of fedload's [4H][cols] matrix, so the
    // region maps onto one contiguous run of the flat buffer
    const char* what = r.bias ? (recurrent ? "b_hh" : "b_ih") : (recurrent ? "w_hh" : "w_ih");
    const std::size_t flat = slot_offset(r.layer, what) + static_cast<std::size_t>(gate) * count;
    for (std::size_t k = 0; k < count; ++k) {
      if (taken[r.offset + k]) throw_runtime_error("cuDNN weight regions overlap at float {}", r.offset + k);
      taken[r.offset + k] = 1;
      index[flat + k] = static_cast<std::int64_t>(r.offset + k);
    }
  }
  const auto missing = std::find(index.begin(), index.end(), std::int64_t{-1});
  if (missing != index.end())
    throw_runtime_error("cuDNN weight space does not cover fedload parameter {} (regions reported: {})",
                        missing - index.begin(), regions.size());
  return index;
}

std::string algo_name(CudnnRnnAlgo a) {
  switch (a) {
    case CudnnRnnAlgo::kStandard: return "standard";
    case CudnnRnnAlgo::kPersistStatic: return "persist_static";
    case CudnnRnnAlgo::kPersistDynamic: return "persist_dynamic";
    case CudnnRnnAlgo::kPersistStaticSmallH: return "persist_small_h";
  }
  return "unknown";
}

std::vector<CudnnRnnAlgo> cudnn_algorithm_candidates(const std::string& backend_name) {
  return cudnn_backend_plan(backend_name).algorithms;
}

std::string math_name(CudnnMath m) {
  return m == CudnnMath::kTf32 ? "tf32 (CUDNN_DEFAULT_MATH)" : "fp32 (CUDNN_FMA_MATH)";
}

std::vector<std::string> cudnn_backend_names() {
  return {"cudnn", "cudnn_eager", "cudnn_tf32", "cudnn_standard", "cudnn_persist_static", "cudnn_persist_small_h"};
}

CudnnBackendPlan cudnn_backend_plan(const std::string& backend_name) {
  const std::vector<CudnnRnnAlgo> every_static = {CudnnRnnAlgo::kStandard, CudnnRnnAlgo::kPersistStatic,
                                                  CudnnRnnAlgo::kPersistStaticSmallH};
  if (backend_name == "cudnn") return {every_static, CudnnMath::kFp32, true};
  if (backend_name == "cudnn_eager") return {every_static, CudnnMath::kFp32, false};
  if (backend_name == "cudnn_tf32") return {every_static, CudnnMath::kTf32, true};
  for (CudnnRnnAlgo a : every_static)
    if (backend_name == "cudnn_" + algo_name(a)) return {{a}, CudnnMath::kFp32, true};
  std::string known;
  for (const std::string& n : cudnn_backend_names()) known += (known.empty() ? "" : ", ") + n;
  throw_input_error("unknown cuDNN backend '{}': expected one of {}", backend_name, known);
}

}  // namespace fedload::kernels
