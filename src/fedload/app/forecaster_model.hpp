#pragma once
// What model.kind selects, for the centralized and the federated experiment alike: the
// backend's dimensions, the flat layout, the initial parameters from the seed, and the backend.
//   lstm:   the default forecaster (kernels::forecaster_layout), any registered backend
//   hybrid: model::HybridForecaster, whose extra channels the data pipeline appends
//           (DataOptions::hybrid_clusters); model::HybridBackend over the "cpu" backend
//           (backend.kind = cpu or auto) or "cpu_reference", and an InputError (exit 2) for
//           a GPU backend
#include <cstdint>
#include <string>
#include <vector>

#include "fedload/core/config.hpp"
#include "fedload/data/dataset.hpp"
#include "fedload/kernels/auto_backend.hpp"
#include "fedload/kernels/backend.hpp"
#include "fedload/model/hybrid_forecaster.hpp"

namespace fedload::app {

struct ForecasterModel {
  std::string kind;                        // "lstm" | "hybrid"
  kernels::ForecasterDims dims;            // what the backend is built for; I = channels of x
  model::HybridDims hybrid;                // kind == "hybrid"
  std::vector<kernels::ParamSlot> layout;  // the flat buffer
  std::vector<float> initial;              // parameters drawn from run.seed
  // the output layer: the groups whose names start with "head" (head.w, head.b; hybrid: head_f.w)
  std::vector<kernels::ParamSlot> output_layer() const;
};

// B from train.batch_size, T and O from the data's lookback and horizon, the rest from [model]
ForecasterModel forecaster_model(const Config& c, const data::ClientDatasets& data, std::uint64_t seed);

// the backend backend.kind names, for the model
kernels::BackendChoice choose_model_backend(const Config& c, const ForecasterModel& m);

}  // namespace fedload::app
