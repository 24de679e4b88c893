#pragma once
// Day-ahead evaluation on the test span: the trained model and the baselines forecast each
// client's test days from midnight; everything in original units.
#include <span>
#include <string>
#include <vector>

#include "fedload/data/dataset.hpp"
#include "fedload/io/attribute.hpp"
#include "fedload/io/result_schema.hpp"
#include "fedload/io/result_writer.hpp"
#include "fedload/kernels/backend.hpp"
#include "fedload/model/baselines.hpp"
#include "fedload/model/metrics.hpp"

namespace fedload::app {

// The methods every result file compares, in this order.
inline const std::vector<std::string>& forecast_methods() {
  static const std::vector<std::string> m = {"lstm", "naive_daily", "naive_weekly", "ridge"};
  return m;
}

struct ClientForecasts {
  std::size_t client = 0;
  std::vector<std::int64_t> origin;            // unix seconds of each test day's first step
  std::vector<float> actual;                   // [days][H]
  std::vector<std::vector<float>> predicted;   // per method, [days][H] (NaN: not available)
  bool defective = false;                      // [defects]: left out of the honest pooling (-2)
};

struct MethodMetrics {
  std::string method;
  std::int64_t client = -1;  // -1: all clients pooled; -2: the clients that are not defective pooled
  model::ForecastMetrics metrics;
  std::size_t values = 0;    // forecast values scored (NaN forecasts are left out)
};

// Forecasts every client's test days from midnight with the trained backend and the
// baselines: seasonal naive one day and one week earlier, and ridge regression on the lookback
// load + one-hot day of week (fitted on the pooled training windows, regularization chosen on
// the pooled validation windows; *ridge_lambda receives the choice). With `refit`, ridge is
// fitted again with that lambda on training + validation windows.
std::vector<ClientForecasts> forecast_test_days(const data::ClientDatasets& data,
                                                kernels::ForecasterBackend& backend, bool refit,
                                                double* ridge_lambda);

// The ridge baseline fitted on the pooled windows of `clients` (regularization chosen on their
// validation windows, or training windows where there are none; refit: again with that lambda
// on training + validation). Returns the lambda.
double fit_ridge_baseline(std::span<const data::ClientDataset* const> clients, std::size_t lookback,
                          std::size_t horizon, bool refit, model::RidgeForecaster& ridge);

// One client's test days forecast by the backend's model, the seasonal-naive baselines and
// `ridge`, in forecast_methods() order.
ClientForecasts forecast_client_test_days(const data::ClientDataset& c, std::int64_t resolution_seconds,
                                          std::size_t steps_per_day, kernels::ForecasterBackend& backend,
                                          const model::RidgeForecaster& ridge);

// Per method: every client alone, then all pooled (client = -1).
std::vector<MethodMetrics> score_forecasts(const std::vector<ClientForecasts>& forecasts);

// mape, rmse, mae, r2, values: the accuracy columns every metrics-like table ends with
io::TableSpec& add_metric_columns(io::TableSpec& table);
// <method>_mape|rmse|mae|r2 attributes of the pooled (client -1) rows
void add_pooled_metric_attributes(io::AttributeList& attrs, const std::vector<MethodMetrics>& metrics);
// the summary lines comparing the methods (pooled rows)
void append_pooled_metric_lines(std::vector<std::string>& lines, const std::vector<MethodMetrics>& metrics);

// The `metrics` table and the `forecast/*` arrays (horizon O) and `model/final`.
void declare_forecast_outputs(io::ResultSchema& schema, std::size_t O);
// Appends every client's forecasts (in the order given) and the metrics rows.
void write_forecast_outputs(io::ResultWriter& w, const std::vector<ClientForecasts>& forecasts,
                            const std::vector<MethodMetrics>& metrics);

}  // namespace fedload::app
