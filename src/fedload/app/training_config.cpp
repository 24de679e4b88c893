#include "fedload/app/training_config.hpp"

#include <algorithm>
#include <cstdio>

#include <fmt/format.h>

#include "fedload/data/features.hpp"
#include "fedload/data/hybrid_features.hpp"
#include "fedload/data/time.hpp"
#include "fedload/kernels/gpu_backends.hpp"

namespace fedload::app {

kernels::OptimizerOptions optimizer_options(const Config& c) {
  kernels::OptimizerOptions o;
  o.kind = c.get_string("train.optimizer") == "sgd" ? kernels::OptimizerKind::kSgd : kernels::OptimizerKind::kAdam;
  o.lr = static_cast<float>(c.get_double("train.lr"));
  o.momentum = static_cast<float>(c.get_double("train.momentum"));
  o.weight_decay = static_cast<float>(c.get_double("train.weight_decay"));
  o.max_grad_norm = static_cast<float>(c.get_double("train.max_grad_norm"));
  return o;
}

std::string BackendRecord::text() const {
  return kind == ran ? ran : fmt::format("{} (chosen by {})", ran, kind);
}

BackendRecord backend_record(const kernels::BackendChoice& choice) {
  return {choice.backend->name(), choice.kind, choice.reason, kernels::backend_detail(*choice.backend)};
}

void add_backend_attributes(io::AttributeList& attrs, const BackendRecord& b) {
  attrs.push_back({"backend", b.ran});
  attrs.push_back({"backend_kind", b.kind});
  attrs.push_back({"backend_choice", b.reason});
  attrs.push_back({"backend_detail", b.detail});
}

std::vector<std::string> backends_if_ranks_differ(const comm::MpiSession& mpi, const std::string& mine) {
  const auto all = mpi.gather_to_root(std::vector<char>(mine.begin(), mine.end()));
  std::vector<std::string> names;
  for (const auto& b : all) names.emplace_back(b.begin(), b.end());
  if (std::all_of(names.begin(), names.end(), [&](const std::string& n) { return n == names.front(); })) return {};
  std::string list;
  for (std::size_t r = 0; r < names.size(); ++r) list += fmt::format(" {}:{}", r, names[r]);
  std::printf("fedload: note: the ranks run different backends (rank:backend):%s\n", list.c_str());
  std::fflush(stdout);
  return names;
}

kernels::LossKind loss_kind(const Config& c) {
  return c.get_string("train.loss") == "l1" ? kernels::LossKind::kL1 : kernels::LossKind::kMse;
}

void add_data_and_model_attributes(io::AttributeList& attrs, const data::ClientDatasets& data,
                                   const ForecasterModel& model) {
  attrs.push_back({"model_kind", model.kind});
  io::StringList layout;
  for (const auto& s : model.layout) {
    std::string shape;
    for (int v : s.shape) {
      if (!shape.empty()) shape += 'x';
      shape += std::to_string(v);
    }
    layout.push_back(fmt::format("{} {} {}", s.name, s.offset, shape));
  }
  attrs.push_back({"model_layout", layout});
  attrs.push_back({"model_parameters", static_cast<std::int64_t>(model.initial.size())});
  attrs.push_back({"data_source", data.source});
  attrs.push_back({"data_columns", io::StringList(data.columns.begin(), data.columns.end())});
  attrs.push_back({"data_start", data::format_timestamp(data.start)});
  attrs.push_back({"data_end", data::format_timestamp(data.end)});
  attrs.push_back({"resolution_seconds", data.resolution_seconds});
  attrs.push_back({"steps_per_day", static_cast<std::int64_t>(data.steps_per_day)});
  attrs.push_back({"lookback", static_cast<std::int64_t>(data.lookback)});
  attrs.push_back({"horizon", static_cast<std::int64_t>(data.horizon)});
  attrs.push_back({"stride", static_cast<std::int64_t>(data.stride)});
  attrs.push_back({"holidays", data.holidays});
  attrs.push_back({"grid_gaps_repaired", static_cast<std::int64_t>(data.repairs.gaps)});
  attrs.push_back({"grid_steps_inserted", static_cast<std::int64_t>(data.repairs.gap_steps_inserted)});
  attrs.push_back({"missing_cells", static_cast<std::int64_t>(data.repairs.missing_cells)});
  attrs.push_back({"features", io::StringList(data::feature_names(data.hybrid_clusters))});
}

std::string duration_text(double s) {
  if (s < 60) return fmt::format("{:.1f}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", static_cast<int>(s) / 60, static_cast<int>(s) % 60);
  return fmt::format("{}h{:02}m", static_cast<int>(s) / 3600, (static_cast<int>(s) % 3600) / 60);
}

}  // namespace fedload::app
