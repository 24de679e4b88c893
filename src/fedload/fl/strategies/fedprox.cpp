// FedProx (Li et al. 2020): FedAvg's aggregation, but every client minimizes its loss plus
// (mu/2)*||w - g||^2, which keeps heterogeneous clients from drifting far from the global model.
#include "fedload/fl/strategies/client_weights.hpp"
#include "fedload/fl/strategies/registration.hpp"

namespace fedload::fl {
namespace {

class FedProx final : public Strategy {
 public:
  explicit FedProx(const StrategyOptions& o) : mu_(o.prox_mu), server_lr_(o.server_lr) {}
  std::string name() const override { return "fedprox"; }
  LocalObjective local_objective() const override { return {.prox_mu = mu_}; }
  std::optional<std::vector<double>> coefficients(std::span<const ClientReport> reports) const override {
    auto c = sample_fractions(reports);
    for (double& x : c) x *= server_lr_;
    return c;
  }

 private:
  double mu_, server_lr_;
};

}  // namespace

void register_fedprox_strategy() {
  add_builtin_strategy("fedprox", [](const StrategyOptions& o) { return std::make_unique<FedProx>(o); });
}

}  // namespace fedload::fl
