#pragma once
// Explicit strategy registration. Static initializers in a static library are dropped by the
// linker when nothing references their object file, so every strategy file exposes one
// registration function and register_builtin_strategies() calls them all (once; make_strategy,
// strategy_names and register_strategy call it, so users never need to).
#include <string>

#include "fedload/fl/strategy.hpp"

namespace fedload::fl {

// What the registration functions below call (register_strategy would re-enter
// register_builtin_strategies while it runs).
void add_builtin_strategy(const std::string& name, StrategyFactory factory);

void register_fedavg_strategy();   // "fedavg"  (strategies/fedavg.cpp)
void register_fedprox_strategy();  // "fedprox" (strategies/fedprox.cpp)
void register_fednova_strategy();  // "fednova" (strategies/fednova.cpp)
void register_mean_strategy();     // "mean"    (strategies/mean.cpp)
void register_median_strategy();        // "median"       (strategies/median.cpp)
void register_trimmed_mean_strategy();  // "trimmed_mean" (strategies/trimmed_mean.cpp)
void register_krum_strategy();          // "krum"         (strategies/krum.cpp)
void register_quality_weighted_strategy();  // "quality_weighted" (strategies/quality_weighted.cpp)
// Idempotent and thread-safe.
void register_builtin_strategies();

}  // namespace fedload::fl
