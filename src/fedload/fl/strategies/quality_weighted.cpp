// Quality-aware weighting without a learned model: each update's quality is the cosine similarity
// of its direction to a robust reference, the coordinate-wise median of the round's updates,
// clipped at 0; every update is rescaled to the reference's L2 norm and the rescaled updates are
// averaged with their qualities as weights:
//   q_i = max(0, cos(delta_i, m)),  g' = g + server_lr * sum_i (q_i / sum_j q_j) (|m| / |delta_i|) delta_i.
// The ReLU-cosine trust score with norm rescaling is FLTrust's (X. Cao, M. Fang, J. Liu,
// N. Z. Gong, "FLTrust: Byzantine-robust Federated Learning via Trust Bootstrapping", NDSS 2021),
// whose reference is an update the server trains on its own root data; the server here has no
// data, so the median stands in for it. It is a fixed rule, not the DearFSAC paper's learned
// weighting (an auto-encoder's quality embedding and a soft actor-critic choosing the weights).
//
// Sample counts are ignored (a client's count is its own claim, as for median and Krum). An
// update that points away from the median (a sign flip) gets weight 0 (it still takes part in the
// median, which a minority cannot move far); one that is not finite gets weight 0 and no part in
// the median; pure
// noise gets a weight near 0. When every weight is 0 the global model is left unchanged (a remark
// says so). The weighted sum is the exact fixed-point one of the linear strategies, over the
// clients with a weight > 0 in client-id order, so the model is the same on any placement.
#include <algorithm>
#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "fedload/core/squared_l2.hpp"
#include "fedload/fl/strategies/coordinate_wise.hpp"
#include "fedload/fl/strategies/registration.hpp"

namespace fedload::fl {
namespace {

class QualityWeighted final : public Strategy {
 public:
  explicit QualityWeighted(const StrategyOptions& o) : server_lr_(o.server_lr) {}
  std::string name() const override { return "quality_weighted"; }
  std::optional<std::vector<double>> coefficients(std::span<const ClientReport>) const override {
    return std::nullopt;
  }

  AggregateResult aggregate(std::span<const float> global, std::span<const ClientUpdateView> updates,
                            std::span<float> new_global) const override {
    check_aggregate_inputs(global, updates, new_global);
    const std::size_t n = updates.size();
    AggregateResult applied{.coefficients = std::vector<double>(n, 0.0), .remark = {}};
    if (n == 0) {
      std::copy(global.begin(), global.end(), new_global.begin());
      return applied;
    }
    // the reference: the coordinate-wise median of the finite updates (a zero model plus the
    // median; a NaN has no place in an order)
    std::vector<ClientUpdateView> finite;
    for (const auto& u : updates)
      if (std::all_of(u.delta.begin(), u.delta.end(), [](float v) { return std::isfinite(v); })) finite.push_back(u);
    const std::vector<float> zero(global.size(), 0.0f);
    std::vector<float> reference(global.size(), 0.0f);
    if (!finite.empty()) apply_coordinate_trimmed_mean(zero, finite, (finite.size() - 1) / 2, 1.0, reference);
    const double ref_norm = std::sqrt(squared_l2(reference));

    std::vector<double> quality(n, 0.0), norm(n, 0.0);
    double total = 0;
    for (std::size_t i = 0; i < n; ++i) {
      double dot = 0, sq = 0;
      for (std::size_t j = 0; j < global.size(); ++j) {
        const double d = updates[i].delta[j];
        dot += d * reference[j];
        sq += d * d;
      }
      norm[i] = std::sqrt(sq);
      const double cosine = dot / (norm[i] * ref_norm);
      quality[i] = std::isfinite(cosine) && cosine > 0 ? cosine : 0.0;  // 0/0, inf, NaN: no weight
      total += quality[i];
    }
    if (!(total > 0)) {
      std::copy(global.begin(), global.end(), new_global.begin());
      applied.remark = fmt::format("quality_weighted: no update of the {} points towards the median of the round "
                                   "(every weight is 0): the global model is left unchanged",
                                   n);
      return applied;
    }
    std::vector<ClientUpdateView> kept;
    std::vector<double> c;
    for (std::size_t i = 0; i < n; ++i) {
      if (quality[i] <= 0) continue;
      applied.coefficients[i] = server_lr_ * quality[i] / total * (ref_norm / norm[i]);
      kept.push_back(updates[i]);
      c.push_back(applied.coefficients[i]);
    }
    // only the weighted updates reach the sum: a rejected one may hold NaN or infinity
    apply_coefficients(global, kept, c, new_global);
    return applied;
  }

 private:
  double server_lr_;
};

}  // namespace

void register_quality_weighted_strategy() {
  add_builtin_strategy("quality_weighted",
                       [](const StrategyOptions& o) { return std::make_unique<QualityWeighted>(o); });
}

}  // namespace fedload::fl
