#include "fedload/fl/strategies/client_weights.hpp"

#include <cmath>

#include "fedload/core/error.hpp"

namespace fedload::fl {

void check_reports(std::span<const ClientReport> reports) {
  for (std::size_t i = 0; i < reports.size(); ++i) {
    const ClientReport& r = reports[i];
    if (i > 0 && r.client <= reports[i - 1].client) {
      throw_runtime_error("client reports must be sorted by strictly increasing client id: "
                          "client {} follows client {}", r.client, reports[i - 1].client);
    }
    if (!std::isfinite(r.samples) || r.samples < 0) {
      throw_runtime_error("client {} reports {} training samples (must be finite and >= 0)",
                          r.client, r.samples);
    }
    if (r.local_steps < 0) {
      throw_runtime_error("client {} reports {} local steps (must be >= 0)", r.client, r.local_steps);
    }
  }
}

std::vector<double> sample_fractions(std::span<const ClientReport> reports) {
  check_reports(reports);
  double total = 0;  // in client-id order, so every rank gets the same bits
  for (const auto& r : reports) total += r.samples;
  std::vector<double> p(reports.size(), 0.0);
  if (total > 0) {
    for (std::size_t i = 0; i < reports.size(); ++i) p[i] = reports[i].samples / total;
  }
  return p;
}

}  // namespace fedload::fl
