#pragma once
// Coordinate-wise order statistics of the client updates, shared by the robust (non-linear)
// strategies: for each parameter j, the K values delta_i[j] are sorted and the `cut` smallest and
// `cut` largest dropped; the rest are averaged (in double, in sorted order, so the result depends
// on the values only, not on the clients' order or placement).
#include <cstddef>
#include <span>

#include "fedload/fl/strategy.hpp"

namespace fedload::fl {

// new_global[j] = global[j] + server_lr * (mean of the K - 2 cut middle values of delta_i[j]).
// 2 cut < K (a runtime error otherwise); no update: new_global = global. new_global may alias global.
// Returns NaN coefficients: no single weight describes a client's share of the result.
AggregateResult apply_coordinate_trimmed_mean(std::span<const float> global,
                                              std::span<const ClientUpdateView> updates,
                                              std::size_t cut, double server_lr, std::span<float> new_global);

}  // namespace fedload::fl
