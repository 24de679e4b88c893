// Coordinate-wise trimmed mean of the client updates (Yin et al., ICML 2018): for each parameter
// the floor(beta K) largest and smallest client values are dropped and the rest averaged,
// beta = fl.trim_fraction in [0, 0.5); beta = 0 is the unweighted mean (to rounding). Not linear:
// the driver gathers every update to the server.
#include <cmath>

#include "fedload/fl/strategies/coordinate_wise.hpp"
#include "fedload/fl/strategies/registration.hpp"

namespace fedload::fl {
namespace {

class TrimmedMean final : public Strategy {
 public:
  explicit TrimmedMean(const StrategyOptions& o) : server_lr_(o.server_lr), beta_(o.trim_fraction) {}
  std::string name() const override { return "trimmed_mean"; }
  std::optional<std::vector<double>> coefficients(std::span<const ClientReport>) const override {
    return std::nullopt;
  }
  AggregateResult aggregate(std::span<const float> global, std::span<const ClientUpdateView> updates,
                            std::span<float> new_global) const override {
    const auto cut = static_cast<std::size_t>(std::floor(beta_ * static_cast<double>(updates.size())));
    return apply_coordinate_trimmed_mean(global, updates, cut, server_lr_, new_global);
  }

 private:
  double server_lr_, beta_;
};

}  // namespace

void register_trimmed_mean_strategy() {
  add_builtin_strategy("trimmed_mean", [](const StrategyOptions& o) { return std::make_unique<TrimmedMean>(o); });
}

}  // namespace fedload::fl
