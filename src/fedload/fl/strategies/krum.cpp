// Krum and multi-Krum (Blanchard, El Mhamdi, Guerraoui, Stainer, NeurIPS 2017: Machine learning
// with adversaries: Byzantine tolerant gradient descent). With n updates of which at most
// f = fl.krum_byzantine are Byzantine, update i scores the sum of its squared L2 distances to its
// n - f - 2 nearest other updates; Krum takes the lowest-scored update, multi-Krum the plain mean
// of the m = fl.krum_select lowest-scored ones: g' = g + server_lr * mean of those deltas.
//
// The mean is unweighted: a client's sample count is its own claim, and a Byzantine client that
// survived the selection could otherwise inflate its share of the step (median ignores sample
// counts for the same reason). The paper's condition n >= 2f + 3 is refused at set-up when every
// round's n is known (check_round_size); a Poisson round with fewer clients leaves the global
// model unchanged (every coefficient 0, a remark says so), and one with n - f < m averages the
// n - f best.
//
// Deterministic whatever the placement: distances are summed in double over the coordinates in
// order, a non-finite distance (a NaN or infinite update) counts as +infinity, scores add the
// nearest distances in ascending order, equal scores go to the lower client id, and the chosen
// updates are applied in client-id order with the exact fixed-point sum (so multi-Krum with f = 0
// and m = n is the "mean" strategy bit for bit).
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include <fmt/format.h>

#include "fedload/core/error.hpp"
#include "fedload/fl/strategies/registration.hpp"

namespace fedload::fl {
namespace {

// squared L2 distance in double, coordinates in order; +inf when it is not finite
double squared_distance(std::span<const float> a, std::span<const float> b) {
  double sum = 0.0;
  for (std::size_t j = 0; j < a.size(); ++j) {
    const double d = static_cast<double>(a[j]) - static_cast<double>(b[j]);
    sum += d * d;
  }
  return std::isfinite(sum) ? sum : std::numeric_limits<double>::infinity();
}

// score(i) = sum of the `nearest` smallest squared distances from update i to the others
std::vector<double> krum_scores(std::span<const ClientUpdateView> updates, std::size_t nearest) {
  const std::size_t n = updates.size();
  std::vector<double> dist(n * n, 0.0);  // symmetric: (a - b)^2 == (b - a)^2 exactly
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = i + 1; j < n; ++j)
      dist[i * n + j] = dist[j * n + i] = squared_distance(updates[i].delta, updates[j].delta);
  std::vector<double> scores(n), others;
  for (std::size_t i = 0; i < n; ++i) {
    others.clear();
    for (std::size_t j = 0; j < n; ++j)
      if (j != i) others.push_back(dist[i * n + j]);
    std::partial_sort(others.begin(), others.begin() + static_cast<std::ptrdiff_t>(nearest), others.end());
    scores[i] = std::accumulate(others.begin(), others.begin() + static_cast<std::ptrdiff_t>(nearest), 0.0);
  }
  return scores;
}

class Krum final : public Strategy {
 public:
  explicit Krum(const StrategyOptions& o)
      : server_lr_(o.server_lr),
        f_(static_cast<std::size_t>(o.krum_byzantine)),
        m_(static_cast<std::size_t>(o.krum_select)) {}
  std::string name() const override { return "krum"; }
  std::optional<std::vector<double>> coefficients(std::span<const ClientReport>) const override {
    return std::nullopt;
  }

  void check_round_size(std::size_t n) const override {
    if (n < 2 * f_ + 3)
      throw_input_error("fl.strategy = \"krum\" with f = fl.krum_byzantine = {} needs n >= 2f + 3 = {} clients in a "
                        "round, and every round here selects {}: select more clients or lower fl.krum_byzantine",
                        f_, 2 * f_ + 3, n);
    if (m_ > n - f_)
      throw_input_error("fl.strategy = \"krum\" averages m = fl.krum_select = {} updates, at most n - f = {} - {} = {} "
                        "(the clients of a round minus fl.krum_byzantine): lower fl.krum_select",
                        m_, n, f_, n - f_);
  }

  AggregateResult aggregate(std::span<const float> global, std::span<const ClientUpdateView> updates,
                            std::span<float> new_global) const override {
    check_aggregate_inputs(global, updates, new_global);
    const std::size_t n = updates.size();
    AggregateResult applied{.coefficients = std::vector<double>(n, 0.0), .remark = {}};
    if (n < 2 * f_ + 3) {
      std::copy(global.begin(), global.end(), new_global.begin());
      if (n > 0)
        applied.remark = fmt::format("krum: {} client(s) selected, fewer than 2f + 3 = {} (f = {}): the global model "
                                     "is left unchanged",
                                     n, 2 * f_ + 3, f_);
      return applied;
    }
    const std::size_t m = std::min(m_, n - f_);
    if (m < m_)
      applied.remark = fmt::format("krum: {} clients selected, so the n - f = {} best updates are averaged instead of "
                                   "fl.krum_select = {}",
                                   n, m, m_);
    const auto scores = krum_scores(updates, n - f_ - 2);
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    // indices are in client-id order, so a stable sort breaks equal scores by the lower id
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] < scores[b]; });
    order.resize(m);
    std::sort(order.begin(), order.end());
    std::vector<ClientUpdateView> chosen;
    for (const std::size_t i : order) {
      chosen.push_back(updates[i]);
      applied.coefficients[i] = server_lr_ / static_cast<double>(m);
    }
    // only the chosen updates reach the sum: a rejected one may hold NaN or infinity
    apply_coefficients(global, chosen, std::vector<double>(m, server_lr_ / static_cast<double>(m)), new_global);
    return applied;
  }

 private:
  double server_lr_;
  std::size_t f_, m_;
};

}  // namespace

void register_krum_strategy() {
  add_builtin_strategy("krum", [](const StrategyOptions& o) { return std::make_unique<Krum>(o); });
}

}  // namespace fedload::fl
