#pragma once
// Day-ahead evaluation on the test span: the trained model and the baselines forecast each
// client's test days from midnight; everything in original units.
#include <span>
#include <string>
#include <vector>

#include "fedload/app/online_correction.hpp"
#include "fedload/data/dataset.hpp"
#include "fedload/io/attribute.hpp"
#include "fedload/io/result_schema.hpp"
#include "fedload/io/result_writer.hpp"
#include "fedload/kernels/backend.hpp"
#include "fedload/model/baselines.hpp"
#include "fedload/model/metrics.hpp"

namespace fedload::app {

// The methods a result file compares, in this order: the trained model, named by its kind
// ("lstm" or "hybrid"), then its online-corrected forecasts when model.correction is on
// ("<kind>_corrected", online_correction.hpp), then the baselines naive_daily, naive_weekly,
// ridge.
std::vector<std::string> forecast_methods(const std::string& model_kind = "lstm", bool corrected = false);

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
// fitted again with that lambda on training + validation windows. With correction.on, the
// model's forecasts corrected online follow its own.
std::vector<ClientForecasts> forecast_test_days(const data::ClientDatasets& data,
                                                kernels::ForecasterBackend& backend, bool refit,
                                                double* ridge_lambda, const OnlineCorrection& correction);

// The ridge baseline fitted on the pooled windows of `clients` (regularization chosen on their
// validation windows, or training windows where there are none; refit: again with that lambda
// on training + validation). Returns the lambda.
double fit_ridge_baseline(std::span<const data::ClientDataset* const> clients, std::size_t lookback,
                          std::size_t horizon, bool refit, model::RidgeForecaster& ridge);

// One client's test days forecast by the backend's model (and corrected online when
// correction.on), the seasonal-naive baselines and `ridge`, in forecast_methods() order.
ClientForecasts forecast_client_test_days(const data::ClientDataset& c, std::int64_t resolution_seconds,
                                          std::size_t steps_per_day, kernels::ForecasterBackend& backend,
                                          const model::RidgeForecaster& ridge, const OnlineCorrection& correction);

// Per method (`methods`: the forecasts' order): every client alone, then all pooled (client = -1).
std::vector<MethodMetrics> score_forecasts(const std::vector<ClientForecasts>& forecasts,
                                           const std::vector<std::string>& methods);

// mape, rmse, mae, r2, values: the accuracy columns every metrics-like table ends with
io::TableSpec& add_metric_columns(io::TableSpec& table);
// <method>_mape|rmse|mae|r2 attributes of the pooled (client -1) rows
void add_pooled_metric_attributes(io::AttributeList& attrs, const std::vector<MethodMetrics>& metrics);
// the summary lines comparing the methods (pooled rows)
void append_pooled_metric_lines(std::vector<std::string>& lines, const std::vector<MethodMetrics>& metrics);

// The `metrics` table and the `forecast/*` arrays (horizon O, one per method) and `model/final`.
void declare_forecast_outputs(io::ResultSchema& schema, std::size_t O, const std::vector<std::string>& methods);
// Appends every client's forecasts (in the order given) and the metrics rows.
void write_forecast_outputs(io::ResultWriter& w, const std::vector<ClientForecasts>& forecasts,
                            const std::vector<MethodMetrics>& metrics, const std::vector<std::string>& methods);

}  // namespace fedload::app
