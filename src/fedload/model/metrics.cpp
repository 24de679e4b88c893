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

void ForecastSums::add(const float* y, const float* yhat, std::size_t count) {
  // the chunk on its own first, two passes as in forecast_metrics, then merged as a chunk
  ForecastSums chunk;
  double sum_y = 0;
  for (std::size_t k = 0; k < count; ++k) {
    if (std::isnan(yhat[k])) continue;
    const double e = static_cast<double>(y[k]) - yhat[k];
    chunk.abs_err += std::abs(e);
    chunk.sq_err += e * e;
    sum_y += y[k];
    if (y[k] != 0.0f) {
      chunk.abs_pct += std::abs(e / y[k]);
      ++chunk.n_nonzero;
    }
    ++chunk.n;
  }
  if (chunk.n == 0) return;
  chunk.mean_y = sum_y / static_cast<double>(chunk.n);
  for (std::size_t k = 0; k < count; ++k)
    if (!std::isnan(yhat[k])) chunk.m2_y += (y[k] - chunk.mean_y) * (y[k] - chunk.mean_y);
  merge(chunk);
}

void ForecastSums::merge(const ForecastSums& other) {
  if (other.n == 0) return;
  if (n == 0) {
    *this = other;
    return;
  }
  // Chan, Golub and LeVeque (1979): means and squared deviations of two sets combined
  const double na = static_cast<double>(n), nb = static_cast<double>(other.n), nab = na + nb;
  const double delta = other.mean_y - mean_y;
  mean_y += delta * (nb / nab);
  m2_y += other.m2_y + delta * delta * (na * nb / nab);
  n += other.n;
  n_nonzero += other.n_nonzero;
  abs_pct += other.abs_pct;
  sq_err += other.sq_err;
  abs_err += other.abs_err;
}

ForecastMetrics ForecastSums::metrics() const {
  if (n == 0) throw_input_error("forecast metrics need at least one value (pairs whose forecast is NaN are left out)");
  if (n_nonzero == 0) throw_input_error("MAPE is undefined: all {} actual values are zero", n);
  const auto count = static_cast<double>(n);
  ForecastMetrics m;
  m.mape = 100.0 * abs_pct / static_cast<double>(n_nonzero);
  m.rmse = std::sqrt(sq_err / count);
  m.mae = abs_err / count;
  m.r2 = m2_y > 0 ? 1.0 - sq_err / m2_y : 0.0;
  return m;
}

}  // namespace fedload::model
