// The unweighted mean of the client updates, c_i = server_lr / K: every selected client counts
// the same, however much data it has. With a fixed denominator D (central DP), c_i = server_lr / D.
#include "fedload/fl/strategies/client_weights.hpp"
#include "fedload/fl/strategies/registration.hpp"

namespace fedload::fl {
namespace {

class Mean final : public Strategy {
 public:
  explicit Mean(const StrategyOptions& o) : server_lr_(o.server_lr), denominator_(o.fixed_denominator) {}
  std::string name() const override { return "mean"; }
  std::optional<std::vector<double>> coefficients(std::span<const ClientReport> reports) const override {
    check_reports(reports);
    const double k = denominator_ > 0 ? denominator_ : static_cast<double>(reports.size());
    return std::vector<double>(reports.size(), server_lr_ / k);
  }

 private:
  double server_lr_, denominator_;
};

}  // namespace

void register_mean_strategy() {
  add_builtin_strategy("mean", [](const StrategyOptions& o) { return std::make_unique<Mean>(o); });
}

}  // namespace fedload::fl
