#pragma once
// Forecast accuracy over n paired values (actual y, prediction yhat).
#include <cstddef>

namespace fedload::model {

struct ForecastMetrics {
  double mape = 0.0;  // mean |y - yhat| / |y| in percent, over values with y != 0
  double rmse = 0.0;  // sqrt(mean (y - yhat)^2)
  double mae = 0.0;   // mean |y - yhat|
  double r2 = 0.0;    // 1 - SS_res / SS_tot (0 when y is constant)
};

// Throws fedload::InputError when n == 0 or every actual value is 0 (MAPE undefined).
ForecastMetrics forecast_metrics(const float* y, const float* yhat, std::size_t n);

}  // namespace fedload::model
