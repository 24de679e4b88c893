#include "fedload/app/forecast_evaluation.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "fedload/core/error.hpp"
#include "fedload/data/time.hpp"
#include "fedload/model/baselines.hpp"
#include "fedload/model/trainer.hpp"

namespace fedload::app {

std::vector<std::string> forecast_methods(const std::string& model_kind, bool corrected) {
  std::vector<std::string> m = {model_kind};
  if (corrected) m.push_back(model_kind + "_corrected");
  for (const char* baseline : {"naive_daily", "naive_weekly", "ridge"}) m.emplace_back(baseline);
  return m;
}

namespace {

// the load feature (index 0) of every window: [N][L], normalized
std::vector<float> lookback_load(const data::WindowSet& w) {
  std::vector<float> out(w.size() * w.lookback);
  for (std::size_t n = 0; n < w.size(); ++n)
    for (std::size_t t = 0; t < w.lookback; ++t)
      out[n * w.lookback + t] = w.x[(n * w.lookback + t) * w.features];
  return out;
}

std::vector<int> origin_day_of_week(const data::WindowSet& w) {
  std::vector<int> dow(w.size());
  for (std::size_t n = 0; n < w.size(); ++n) dow[n] = data::day_of_week(data::day_of(w.origin[n]));
  return dow;
}

struct Pooled {
  std::vector<float> x, y;
  std::vector<int> dow;
};

void append(Pooled& p, const data::WindowSet& w) {
  const auto x = lookback_load(w);
  const auto dow = origin_day_of_week(w);
  p.x.insert(p.x.end(), x.begin(), x.end());
  p.y.insert(p.y.end(), w.y.begin(), w.y.end());
  p.dow.insert(p.dow.end(), dow.begin(), dow.end());
}

}  // namespace

double fit_ridge_baseline(std::span<const data::ClientDataset* const> clients, std::size_t lookback,
                          std::size_t horizon, bool refit, model::RidgeForecaster& ridge) {
  // one model over the clients' (per-client normalized) windows, like the LSTM
  Pooled train, val;
  for (const auto* c : clients) {
    append(train, c->train);
    append(val, c->val.empty() ? c->train : c->val);
  }
  const std::vector<double> lambdas = {1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0, 1000.0};
  const double lambda = ridge.fit(train.x, train.dow, train.y, static_cast<int>(lookback), static_cast<int>(horizon),
                                  val.x, val.dow, val.y, lambdas);
  if (refit) {
    Pooled all = train;
    all.x.insert(all.x.end(), val.x.begin(), val.x.end());
    all.y.insert(all.y.end(), val.y.begin(), val.y.end());
    all.dow.insert(all.dow.end(), val.dow.begin(), val.dow.end());
    ridge.fit(all.x, all.dow, all.y, static_cast<int>(lookback), static_cast<int>(horizon), val.x, val.dow, val.y,
              {lambda});
  }
  return lambda;
}

ClientForecasts forecast_client_test_days(const data::ClientDataset& c, std::int64_t resolution_seconds,
                                          std::size_t steps_per_day, kernels::ForecasterBackend& backend,
                                          const model::RidgeForecaster& ridge, const OnlineCorrection& correction) {
  const auto& w = c.test_midnight;
  if (w.empty()) throw_input_error("client {}: no test day starts at midnight with a full lookback", c.client);
  ClientForecasts f;
  f.client = c.client;
  f.defective = c.attacked;
  f.origin.assign(w.origin.begin(), w.origin.end());
  f.actual = c.normalizer.denormalize(w.y);
  f.predicted.push_back(c.normalizer.denormalize(model::predict_rows(backend, w.x.data(), w.size())));
  if (correction.on)
    f.predicted.push_back(c.normalizer.denormalize(corrected_test_day_forecasts(c, resolution_seconds, backend, correction)));
  f.predicted.push_back(data::seasonal_naive_forecast(c, w, resolution_seconds, steps_per_day));
  f.predicted.push_back(data::seasonal_naive_forecast(c, w, resolution_seconds, 7 * steps_per_day));
  f.predicted.push_back(c.normalizer.denormalize(ridge.predict(lookback_load(w), origin_day_of_week(w))));
  return f;
}

std::vector<ClientForecasts> forecast_test_days(const data::ClientDatasets& data,
                                                kernels::ForecasterBackend& backend, bool refit,
                                                double* ridge_lambda, const OnlineCorrection& correction) {
  std::vector<const data::ClientDataset*> clients;
  for (const auto& c : data.clients) clients.push_back(&c);
  model::RidgeForecaster ridge;
  const double lambda = fit_ridge_baseline(clients, data.lookback, data.horizon, refit, ridge);
  if (ridge_lambda) *ridge_lambda = lambda;
  std::vector<ClientForecasts> out;
  for (const auto& c : data.clients)
    out.push_back(forecast_client_test_days(c, data.resolution_seconds, data.steps_per_day, backend, ridge, correction));
  return out;
}

std::vector<MethodMetrics> score_forecasts(const std::vector<ClientForecasts>& forecasts,
                                           const std::vector<std::string>& methods) {
  std::vector<MethodMetrics> out;
  for (std::size_t m = 0; m < methods.size(); ++m) {
    std::vector<float> all_y, all_p;
    auto score = [&](const std::vector<float>& y, const std::vector<float>& p, std::int64_t client) {
      std::vector<float> ys, ps;  // leave out forecasts without history (NaN)
      for (std::size_t i = 0; i < y.size(); ++i)
        if (std::isfinite(p[i])) {
          ys.push_back(y[i]);
          ps.push_back(p[i]);
        }
      MethodMetrics mm{methods[m], client, {}, ys.size()};
      if (!ys.empty()) {
        mm.metrics = model::forecast_metrics(ys.data(), ps.data(), ys.size());
      } else {
        const double nan = std::numeric_limits<double>::quiet_NaN();
        mm.metrics = {nan, nan, nan, nan};
      }
      out.push_back(mm);
    };
    std::vector<float> honest_y, honest_p;
    bool any_defective = false;
    for (const auto& f : forecasts) {
      score(f.actual, f.predicted[m], static_cast<std::int64_t>(f.client));
      all_y.insert(all_y.end(), f.actual.begin(), f.actual.end());
      all_p.insert(all_p.end(), f.predicted[m].begin(), f.predicted[m].end());
      any_defective = any_defective || f.defective;
      if (f.defective) continue;
      honest_y.insert(honest_y.end(), f.actual.begin(), f.actual.end());
      honest_p.insert(honest_p.end(), f.predicted[m].begin(), f.predicted[m].end());
    }
    score(all_y, all_p, -1);
    if (any_defective) score(honest_y, honest_p, -2);
  }
  return out;
}

io::TableSpec& add_metric_columns(io::TableSpec& table) {
  return table.float64("mape", "%").float64("rmse").float64("mae").float64("r2").int64("values", "", "forecast values scored");
}

void add_pooled_metric_attributes(io::AttributeList& attrs, const std::vector<MethodMetrics>& metrics) {
  for (const auto& m : metrics) {
    if (m.client != -1 && m.client != -2) continue;
    const std::string name = (m.client == -2 ? "honest_" : "") + m.method;
    attrs.push_back({name + "_mape", m.metrics.mape});
    attrs.push_back({name + "_rmse", m.metrics.rmse});
    attrs.push_back({name + "_mae", m.metrics.mae});
    attrs.push_back({name + "_r2", m.metrics.r2});
  }
}

void append_pooled_metric_lines(std::vector<std::string>& lines, const std::vector<MethodMetrics>& metrics) {
  // 24: the longest label, "hybrid_corrected honest", and a space
  lines.push_back(fmt::format("{:<24}{:>9}{:>12}{:>12}{:>9}", "method", "MAPE %", "RMSE", "MAE", "R2"));
  for (const std::int64_t pool : {-1, -2})  // -2: honest clients only, when some are defective
    for (const auto& m : metrics)
      if (m.client == pool)
        lines.push_back(fmt::format("{:<24}{:>9.3f}{:>12.4f}{:>12.4f}{:>9.4f}",
                                    pool == -2 ? m.method + " honest" : m.method, m.metrics.mape, m.metrics.rmse,
                                    m.metrics.mae, m.metrics.r2));
}

void declare_forecast_outputs(io::ResultSchema& schema, std::size_t O, const std::vector<std::string>& methods) {
  add_metric_columns(schema.table("metrics", "accuracy on the test days, original units; client -1 = all clients pooled; -2 = the clients that are not defective ([defects]) pooled")
                         .category("method", methods)
                         .int64("client"));
  schema.array({"model/final", io::ElementType::kFloat32, 0, "", "flat parameters, layout in attribute model_layout"});
  schema.array({"forecast/origin", io::ElementType::kInt64, 0, "s", "unix time of each forecast's first step (midnight)"});
  schema.array({"forecast/client", io::ElementType::kInt64, 0, "", "client of each forecast row"});
  schema.array({"forecast/actual", io::ElementType::kFloat32, O, "", "observed load, original units"});
  for (const auto& m : methods)
    schema.array({"forecast/" + m, io::ElementType::kFloat32, O, "", m + " forecast, original units (NaN: no history)"});
}

void write_forecast_outputs(io::ResultWriter& w, const std::vector<ClientForecasts>& forecasts,
                            const std::vector<MethodMetrics>& metrics, const std::vector<std::string>& methods) {
  for (const auto& f : forecasts) {
    std::vector<std::int64_t> client(f.origin.size(), static_cast<std::int64_t>(f.client));
    w.append_array("forecast/origin", std::span<const std::int64_t>(f.origin));
    w.append_array("forecast/client", std::span<const std::int64_t>(client));
    w.append_array("forecast/actual", std::span<const float>(f.actual));
    for (std::size_t m = 0; m < methods.size(); ++m)
      w.append_array("forecast/" + methods[m], std::span<const float>(f.predicted[m]));
  }
  std::vector<io::Row> rows;
  for (const auto& m : metrics)
    rows.push_back({std::string_view(m.method), m.client, m.metrics.mape, m.metrics.rmse, m.metrics.mae,
                    m.metrics.r2, static_cast<std::int64_t>(m.values)});
  w.append_rows("metrics", rows);
}

}  // namespace fedload::app
