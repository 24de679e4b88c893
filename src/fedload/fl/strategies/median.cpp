// Coordinate-wise median of the client updates (Yin et al., ICML 2018: Byzantine-robust
// distributed learning): g'[j] = g[j] + server_lr * median_i delta_i[j], the mean of the two
// middle values when K is even. Not linear: the driver gathers every update to the server.
// Ignores sample counts: each client counts once, so one client's extreme update cannot move a
// coordinate past the values of the honest majority.
#include "fedload/fl/strategies/coordinate_wise.hpp"
#include "fedload/fl/strategies/registration.hpp"

namespace fedload::fl {
namespace {

class Median final : public Strategy {
 public:
  explicit Median(const StrategyOptions& o) : server_lr_(o.server_lr) {}
  std::string name() const override { return "median"; }
  std::optional<std::vector<double>> coefficients(std::span<const ClientReport>) const override {
    return std::nullopt;
  }
  AggregateResult aggregate(std::span<const float> global, std::span<const ClientUpdateView> updates,
                            std::span<float> new_global) const override {
    // K odd: keep the middle value; K even: the middle two
    const std::size_t cut = updates.empty() ? 0 : (updates.size() - 1) / 2;
    return apply_coordinate_trimmed_mean(global, updates, cut, server_lr_, new_global);
  }

 private:
  double server_lr_;
};

}  // namespace

void register_median_strategy() {
  add_builtin_strategy("median", [](const StrategyOptions& o) { return std::make_unique<Median>(o); });
}

}  // namespace fedload::fl
