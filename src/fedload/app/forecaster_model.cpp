#include "fedload/app/forecaster_model.hpp"

#include <fmt/format.h>

#include "fedload/core/error.hpp"
#include "fedload/data/features.hpp"
#include "fedload/data/hybrid_features.hpp"
#include "fedload/kernels/init.hpp"
#include "fedload/model/hybrid_backend.hpp"

namespace fedload::app {

ForecasterModel forecaster_model(const Config& c, const data::ClientDatasets& data, std::uint64_t seed) {
  ForecasterModel m;
  m.kind = c.get_string("model.kind");
  kernels::ForecasterDims& d = m.dims;
  d.B = static_cast<int>(c.get_int("train.batch_size"));
  d.T = static_cast<int>(data.lookback);
  d.I = static_cast<int>(data::kFeatureCount);
  d.H = static_cast<int>(c.get_int("model.hidden"));
  d.layers = static_cast<int>(c.get_int("model.layers"));
  d.O = static_cast<int>(data.horizon);
  if (m.kind != "hybrid") {
    m.layout = kernels::forecaster_layout(d);
    m.initial.resize(kernels::forecaster_param_count(d));
    kernels::init_forecaster_params(d, seed, m.initial.data());
    return m;
  }
  if (data.hybrid_clusters == 0) throw_runtime_error("model.kind = \"hybrid\" but the data has no hybrid channels");
  d.I = static_cast<int>(data::kFeatureCount + data::hybrid_channel_count(data.hybrid_clusters));
  m.hybrid.base = d;
  m.hybrid.history = static_cast<int>(data::kFeatureCount);
  m.hybrid.numeric = static_cast<int>(data::kWeekStatCount + data.hybrid_clusters);
  m.hybrid.embed = static_cast<int>(c.get_int("model.hybrid_embed"));
  m.hybrid.fc_hidden = static_cast<int>(c.get_int("model.hybrid_fc"));
  model::HybridForecaster<float> f(m.hybrid);
  f.init(seed);
  m.layout = f.layout();
  m.initial = f.params();
  return m;
}

std::vector<kernels::ParamSlot> ForecasterModel::output_layer() const {
  std::vector<kernels::ParamSlot> out;
  for (const auto& s : layout)
    if (s.name.starts_with("head")) out.push_back(s);
  return out;
}

kernels::BackendChoice choose_model_backend(const Config& c, const ForecasterModel& m) {
  const std::string kind = c.get_string("backend.kind");
  if (m.kind != "hybrid") return kernels::choose_backend(kind, m.dims);
  if (kind != "cpu" && kind != "cpu_reference" && kind != kernels::kAutoBackendKind)
    throw_input_error("model.kind = \"hybrid\" runs on the CPU only; backend.kind = \"{}\" has no hybrid model: set "
                      "backend.kind = \"cpu\" (or \"cpu_reference\", or \"auto\", which picks cpu)",
                      kind);
  kernels::BackendChoice choice;
  const std::string engine = kind == "cpu_reference" ? "cpu_reference" : "cpu";
  choice.backend = std::make_unique<model::HybridBackend>(m.hybrid, engine);
  choice.kind = kind;
  choice.reason = fmt::format("model.kind = hybrid: the {} backend runs its LSTM path (backend.kind = {})", engine, kind);
  return choice;
}

}  // namespace fedload::app
