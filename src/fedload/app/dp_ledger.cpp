#include "fedload/app/dp_ledger.hpp"

#include <algorithm>
#include <cmath>

#include "fedload/core/error.hpp"

namespace fedload::app {

LocalDpLedger::LocalDpLedger(std::size_t clients, double noise_multiplier, double delta)
    : releases_(clients, 0), z_(noise_multiplier), delta_(delta) {
  if (!(noise_multiplier > 0.0) || !std::isfinite(noise_multiplier))
    throw_input_error("dp.mode = \"local\" needs dp.noise_multiplier > 0 (got {}): without noise there is no privacy "
                      "guarantee to account",
                      noise_multiplier);
  if (!(delta > 0.0 && delta < 1.0)) throw_input_error("dp.delta = {} must be in (0, 1)", delta);
}

void LocalDpLedger::record(const std::vector<std::int64_t>& selected) {
  for (const auto c : selected) {
    auto& n = releases_.at(static_cast<std::size_t>(c));
    most_ = std::max(most_, ++n);
  }
}

privacy::PrivacySpent LocalDpLedger::spent() const {
  privacy::RdpAccountant a;
  a.add_steps(1.0, z_, most_);
  return a.epsilon(delta_);
}

}  // namespace fedload::app
