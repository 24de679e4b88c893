// FedAvg (McMahan et al. 2017): the sample-weighted mean of the client updates,
// c_i = server_lr * n_i / sum n.
#include "fedload/fl/strategies/client_weights.hpp"
#include "fedload/fl/strategies/registration.hpp"

namespace fedload::fl {
namespace {

class FedAvg final : public Strategy {
 public:
  explicit FedAvg(const StrategyOptions& o) : server_lr_(o.server_lr) {}
  std::string name() const override { return "fedavg"; }
  std::optional<std::vector<double>> coefficients(std::span<const ClientReport> reports) const override {
    auto c = sample_fractions(reports);
    for (double& x : c) x *= server_lr_;
    return c;
  }

 private:
  double server_lr_;
};

}  // namespace

void register_fedavg_strategy() {
  add_builtin_strategy("fedavg", [](const StrategyOptions& o) { return std::make_unique<FedAvg>(o); });
}

}  // namespace fedload::fl
