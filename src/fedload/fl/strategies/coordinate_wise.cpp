#include "fedload/fl/strategies/coordinate_wise.hpp"

#include <algorithm>
#include <limits>
#include <vector>

#include "fedload/core/error.hpp"

namespace fedload::fl {

AggregateResult apply_coordinate_trimmed_mean(std::span<const float> global,
                                              std::span<const ClientUpdateView> updates, std::size_t cut,
                                              double server_lr, std::span<float> new_global) {
  check_aggregate_inputs(global, updates, new_global);
  const std::size_t k = updates.size();
  AggregateResult applied{.coefficients = std::vector<double>(k, std::numeric_limits<double>::quiet_NaN()),
                          .remark = {}};
  if (k == 0) {
    std::copy(global.begin(), global.end(), new_global.begin());
    return applied;
  }
  if (2 * cut >= k) throw_runtime_error("coordinate-wise trimmed mean: cutting {} of {} values at each end", cut, k);
  const std::size_t kept = k - 2 * cut;
  std::vector<float> column(k);
  for (std::size_t j = 0; j < global.size(); ++j) {
    for (std::size_t i = 0; i < k; ++i) column[i] = updates[i].delta[j];
    std::sort(column.begin(), column.end());
    double sum = 0.0;
    for (std::size_t i = cut; i < cut + kept; ++i) sum += column[i];
    new_global[j] = static_cast<float>(static_cast<double>(global[j]) + server_lr * (sum / static_cast<double>(kept)));
  }
  return applied;
}

}  // namespace fedload::fl
