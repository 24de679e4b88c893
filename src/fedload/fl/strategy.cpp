// The strategy registry and the reference aggregation of linear strategies.
#include "fedload/fl/strategy.hpp"

#include <algorithm>
#include <cmath>
#include <mutex>

#include "fedload/core/error.hpp"
#include "fedload/core/named_registry.hpp"
#include "fedload/fl/exact_sum.hpp"
#include "fedload/fl/strategies/registration.hpp"

namespace fedload::fl {
namespace {

NamedRegistry<StrategyFactory>& registry() {
  static NamedRegistry<StrategyFactory> r("strategy", "known");
  return r;
}

bool add_factory(const std::string& name, StrategyFactory factory) {
  if (name.empty() || !factory) throw_runtime_error("a strategy needs a name and a factory");
  return registry().add(name, std::move(factory));
}

void check_options(const StrategyOptions& o) {
  if (!std::isfinite(o.server_lr) || o.server_lr <= 0) {
    throw_input_error("strategy option server_lr = {} must be finite and > 0", o.server_lr);
  }
  if (!std::isfinite(o.prox_mu) || o.prox_mu < 0) {
    throw_input_error("strategy option prox_mu = {} must be finite and >= 0", o.prox_mu);
  }
  if (!std::isfinite(o.fixed_denominator) || o.fixed_denominator < 0) {
    throw_input_error("strategy option fixed_denominator = {} must be finite and >= 0", o.fixed_denominator);
  }
  if (!(o.trim_fraction >= 0 && o.trim_fraction < 0.5)) {
    throw_input_error("strategy option trim_fraction = {} must be in [0, 0.5)", o.trim_fraction);
  }
  if (o.krum_byzantine < 0) throw_input_error("strategy option krum_byzantine = {} must be >= 0", o.krum_byzantine);
  if (o.krum_select < 1) throw_input_error("strategy option krum_select = {} must be >= 1", o.krum_select);
}

}  // namespace

void check_aggregate_inputs(std::span<const float> global, std::span<const ClientUpdateView> updates,
                   std::span<float> new_global) {
  if (new_global.size() != global.size()) {
    throw_runtime_error("aggregate: new global model has {} parameters, global model {}",
                        new_global.size(), global.size());
  }
  for (std::size_t i = 0; i < updates.size(); ++i) {
    const auto& u = updates[i];
    if (u.report == nullptr) throw_runtime_error("aggregate: update {} has no client report", i);
    if (u.delta.size() != global.size()) {
      throw_runtime_error("aggregate: client {} sent {} parameters, the global model has {}",
                          u.report->client, u.delta.size(), global.size());
    }
    if (i > 0 && u.report->client <= updates[i - 1].report->client) {
      throw_runtime_error("aggregate: updates must be sorted by strictly increasing client id: "
                          "client {} follows client {}", u.report->client, updates[i - 1].report->client);
    }
  }
}

void apply_coefficients(std::span<const float> global, std::span<const ClientUpdateView> updates,
                        std::span<const double> c, std::span<float> new_global) {
  check_aggregate_inputs(global, updates, new_global);
  if (c.size() != updates.size())
    throw_runtime_error("apply_coefficients: {} coefficients for {} clients", c.size(), updates.size());
  // the same exponent rule the distributed sum uses: K times the largest term bound
  double largest = 0;
  for (std::size_t i = 0; i < updates.size(); ++i) largest = std::max(largest, fixed_point_term_bound(c[i], updates[i].delta));
  const int exponent = fixed_point_exponent(static_cast<double>(updates.size()) * largest);
  std::vector<std::int64_t> acc(global.size(), 0);
  for (std::size_t i = 0; i < updates.size(); ++i) accumulate_fixed(c[i], updates[i].delta, exponent, acc);
  fixed_to_float(acc, exponent, global, new_global);
}

AggregateResult Strategy::aggregate(std::span<const float> global, std::span<const ClientUpdateView> updates,
                                    std::span<float> new_global) const {
  check_aggregate_inputs(global, updates, new_global);
  std::vector<ClientReport> reports;
  reports.reserve(updates.size());
  for (const auto& u : updates) reports.push_back(*u.report);
  auto c = coefficients(reports);
  if (!c) throw_runtime_error("strategy '{}' is not linear and must implement aggregate()", name());
  if (c->size() != updates.size()) {
    throw_runtime_error("strategy '{}' gave {} coefficients for {} clients", name(), c->size(), updates.size());
  }
  apply_coefficients(global, updates, *c, new_global);
  return {.coefficients = std::move(*c), .remark = {}};
}

void register_builtin_strategies() {
  static std::once_flag once;
  std::call_once(once, [] {
    register_fedavg_strategy();
    register_fedprox_strategy();
    register_fednova_strategy();
    register_mean_strategy();
    register_median_strategy();
    register_trimmed_mean_strategy();
    register_krum_strategy();
    register_quality_weighted_strategy();
  });
}

void add_builtin_strategy(const std::string& name, StrategyFactory factory) {
  add_factory(name, std::move(factory));
}

bool register_strategy(const std::string& name, StrategyFactory factory) {
  // built-ins first, so a later registration of the same name replaces the built-in one
  register_builtin_strategies();
  return add_factory(name, std::move(factory));
}

std::vector<std::string> strategy_names() {
  register_builtin_strategies();
  return registry().names();
}

std::unique_ptr<Strategy> make_strategy(const std::string& name, const StrategyOptions& o) {
  register_builtin_strategies();
  const StrategyFactory factory = registry().find(name);
  check_options(o);
  return factory(o);
}

}  // namespace fedload::fl
