#include "fedload/model/metrics.hpp"

#include <cmath>

#include "fedload/core/error.hpp"

namespace fedload::model {

ForecastMetrics forecast_metrics(const float* y, const float* yhat, std::size_t n) {
  if (n == 0) throw_input_error("forecast metrics need at least one value");
  double abs_sum = 0, sq_sum = 0, pct_sum = 0, mean = 0;
  std::size_t pct_n = 0;
  for (std::size_t k = 0; k < n; ++k) {
    const double e = static_cast<double>(y[k]) - yhat[k];
    abs_sum += std::abs(e);
    sq_sum += e * e;
    mean += y[k];
    // zero loads have no relative error; they are left out of MAPE rather than dividing by zero
    if (y[k] != 0.0f) {
      pct_sum += std::abs(e / y[k]);
      ++pct_n;
    }
  }
  if (pct_n == 0) throw_input_error("MAPE is undefined: all {} actual values are zero", n);
  mean /= static_cast<double>(n);
  double ss_tot = 0;
  for (std::size_t k = 0; k < n; ++k) ss_tot += (y[k] - mean) * (y[k] - mean);
  ForecastMetrics m;
  m.mape = 100.0 * pct_sum / static_cast<double>(pct_n);
  m.rmse = std::sqrt(sq_sum / static_cast<double>(n));
  m.mae = abs_sum / static_cast<double>(n);
  m.r2 = ss_tot > 0 ? 1.0 - sq_sum / ss_tot : 0.0;
  return m;
}

}  // namespace fedload::model
