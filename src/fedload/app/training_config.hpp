#pragma once
// What the centralized and the federated experiments read from the config and record alike:
// the forecaster's shape, the optimizer and loss, and the attributes describing data and model.
#include <string>
#include <vector>

#include "fedload/app/forecaster_model.hpp"
#include "fedload/comm/mpi_session.hpp"
#include "fedload/core/config.hpp"
#include "fedload/data/dataset.hpp"
#include "fedload/io/attribute.hpp"
#include "fedload/kernels/auto_backend.hpp"
#include "fedload/kernels/backend.hpp"

namespace fedload::app {

kernels::OptimizerOptions optimizer_options(const Config& c);
kernels::LossKind loss_kind(const Config& c);
// attributes: model kind, layout and size, data source, span, resolution, windows, repairs,
// features (the channels of x)
void add_data_and_model_attributes(io::AttributeList& attrs, const data::ClientDatasets& data,
                                   const ForecasterModel& model);
// What backend.kind asked for and what runs, kept after the backend itself has moved on.
struct BackendRecord {
  std::string ran;     // the backend's name(): "cpu", "cuda_cluster", ...
  std::string kind;    // backend.kind as configured: "auto" or a backend name
  std::string reason;  // why that backend (for "auto": the rule's reason)
  std::string detail;  // what a GPU backend chose inside (e.g. the cuDNN algorithm), else empty
  // "cpu", or "cpu (chosen by auto)" when kind is "auto"
  std::string text() const;
};
BackendRecord backend_record(const kernels::BackendChoice& choice);
// attributes backend (what ran), backend_kind, backend_choice (the reason), backend_detail
void add_backend_attributes(io::AttributeList& attrs, const BackendRecord& b);
// Collective. Each rank chooses its backend alone (backend.kind = "auto" reads the rank's own
// device): rank 0 gets every rank's backend name when they differ, and prints a note saying so;
// empty when all agree, and on the other ranks.
std::vector<std::string> backends_if_ranks_differ(const comm::MpiSession& mpi, const std::string& mine);
// 12.3s, 4m05s, 2h10m
std::string duration_text(double seconds);

}  // namespace fedload::app
