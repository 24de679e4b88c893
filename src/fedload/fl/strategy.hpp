#pragma once
// How the server turns the clients' updates of one round into the next global model.
//
// A round: the server holds the global model g (one flat float buffer); each selected client i
// trains locally and reports its update delta_i = w_i - g plus a ClientReport. Aggregation order
// is always by client id, never by rank or arrival.
//   - linear strategies (FedAvg, FedProx, FedNova, mean) only choose per-client coefficients c_i;
//     g' = g + sum_i c_i * delta_i, and the driver sums c_i * delta_i across ranks with the exact
//     fixed-point accumulator (fl/exact_sum.hpp), so g' does not depend on the rank layout;
//   - non-linear strategies (robust median, Krum, learned weighting) see every update, gathered to
//     the server and sorted by client id, and compute g' themselves in aggregate().
// A strategy is one file under strategies/ plus one line in strategies/registration.hpp and one
// in register_builtin_strategies() (strategy.cpp); the driver has no `if` per strategy.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace fedload::fl {

// What a client tells the server besides its update.
struct ClientReport {
  std::int64_t client = 0;
  double samples = 0;            // training windows it trained on this round (FedAvg weight)
  std::int64_t local_steps = 0;  // optimizer steps tau_i it took this round (FedNova)
  double train_loss = 0;         // mean training loss of its local work
};

struct ClientUpdateView {
  const ClientReport* report;
  std::span<const float> delta;  // w_i - g
};

struct StrategyOptions {
  double prox_mu = 0.01;   // FedProx's proximal weight mu (>= 0)
  double server_lr = 1.0;  // server learning rate: scales every aggregated step (> 0)
  double trim_fraction = 0.1;  // trimmed_mean: fraction beta of the clients cut at each end, [0, 0.5)
  // mean: > 0 divides by this fixed number (the expected clients per round) instead of the
  // round's K, so that one client's presence changes the aggregate by at most c C (central DP's
  // fixed-denominator estimator); 0 = divide by K
  double fixed_denominator = 0.0;
  std::int64_t krum_byzantine = 1;  // krum: f, the Byzantine clients a round tolerates (>= 0)
  std::int64_t krum_select = 1;     // krum: m best-scored updates averaged (1 = Krum, > 1 = multi-Krum)
};

// What aggregate() applied, for the result file.
struct AggregateResult {
  // c_i with g' = g + sum_i c_i delta_i, in the order of the updates; NaN for a rule that gives no
  // single weight to a client's whole update (coordinate-wise median, trimmed mean); empty = NaN
  // for every client
  std::vector<double> coefficients;
  // not empty: a line for the user about this round (a fallback the strategy took)
  std::string remark;
};

// What the strategy asks of each client's local training.
struct LocalObjective {
  double prox_mu = 0;  // add (mu/2)*||w - g||^2 to the local loss; 0: plain local loss
};

class Strategy {
 public:
  virtual ~Strategy() = default;
  virtual std::string name() const = 0;
  virtual LocalObjective local_objective() const { return {}; }
  // Linear strategies: coefficients c_i in the order of `reports`, which is sorted by client id.
  // std::nullopt = not linear: the driver gathers the updates and calls aggregate().
  virtual std::optional<std::vector<double>> coefficients(std::span<const ClientReport> reports) const = 0;
  // g' from g and the updates (sorted by strictly increasing client id; every delta as long as
  // `global`). Non-linear strategies must override it. The default applies coefficients() in
  // client-id order with apply_coefficients(), so for a linear strategy it is the reference the
  // distributed sum must reproduce bit for bit. `new_global` may alias `global`.
  virtual AggregateResult aggregate(std::span<const float> global, std::span<const ClientUpdateView> updates,
                                    std::span<float> new_global) const;
  // InputError when a round of `clients` selected clients cannot be aggregated as configured; the
  // driver asks before the first round when every round has the same count (fl.selection "all"
  // or "fixed"). The default accepts any count.
  virtual void check_round_size(std::size_t /*clients*/) const {}
};

// Runtime error unless new_global and every delta are as long as global, every update has a
// report, and the updates are sorted by strictly increasing client id: what aggregate() may
// assume (the driver builds them, so a violation is a bug, not user input).
void check_aggregate_inputs(std::span<const float> global, std::span<const ClientUpdateView> updates,
                            std::span<float> new_global);

// new_global = global + sum_i c[i] * updates[i].delta, summed in client-id order in exact int64
// fixed point (the exponent from K times the largest term bound): what the distributed exact sum
// reproduces bit for bit. Checks its inputs like check_aggregate_inputs; `new_global` may alias
// `global`.
void apply_coefficients(std::span<const float> global, std::span<const ClientUpdateView> updates,
                        std::span<const double> c, std::span<float> new_global);

using StrategyFactory = std::function<std::unique_ptr<Strategy>(const StrategyOptions&)>;

// InputError for an unknown name (listing the known ones) or options out of range.
std::unique_ptr<Strategy> make_strategy(const std::string& name, const StrategyOptions& o);
// Sorted names of every registered strategy (the built-in ones included).
std::vector<std::string> strategy_names();
// Adds a strategy, or replaces one of the same name; true when the name was new.
bool register_strategy(const std::string& name, StrategyFactory factory);

}  // namespace fedload::fl
