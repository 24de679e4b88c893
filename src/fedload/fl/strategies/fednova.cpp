// FedNova (Wang et al. 2020, "Tackling the objective inconsistency problem in heterogeneous
// federated optimization"). Clients that take more local steps move further; FedAvg then weights
// their local optimum more and converges to a mix of local optima biased toward busy clients.
// FedNova averages normalized updates d_i = delta_i / a_i and rescales by an effective step
// count: with p_i = n_i / sum n and tau_eff = sum p_i * tau_i,
//   g' = g + server_lr * tau_eff * sum_i p_i * d_i   =>   c_i = server_lr * tau_eff * p_i / tau_i.
// This is the plain-SGD form, where the normalizer a_i = ||a_i||_1 = tau_i (the number of local
// steps). With momentum or Adam local solvers the paper's a_i differs and this is an
// approximation. A client that took no step has delta_i = 0 and gets coefficient 0.
#include "fedload/fl/strategies/client_weights.hpp"
#include "fedload/fl/strategies/registration.hpp"

namespace fedload::fl {
namespace {

class FedNova final : public Strategy {
 public:
  explicit FedNova(const StrategyOptions& o) : server_lr_(o.server_lr) {}
  std::string name() const override { return "fednova"; }
  std::optional<std::vector<double>> coefficients(std::span<const ClientReport> reports) const override {
    const auto p = sample_fractions(reports);
    double tau_eff = 0;
    for (std::size_t i = 0; i < reports.size(); ++i) {
      tau_eff += p[i] * static_cast<double>(reports[i].local_steps);
    }
    std::vector<double> c(reports.size(), 0.0);
    for (std::size_t i = 0; i < reports.size(); ++i) {
      if (reports[i].local_steps > 0) {
        c[i] = server_lr_ * tau_eff * p[i] / static_cast<double>(reports[i].local_steps);
      }
    }
    return c;
  }

 private:
  double server_lr_;
};

}  // namespace

void register_fednova_strategy() {
  add_builtin_strategy("fednova", [](const StrategyOptions& o) { return std::make_unique<FedNova>(o); });
}

}  // namespace fedload::fl
