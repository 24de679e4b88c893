#include "fedload/app/forecast_evaluation.hpp"

#include <algorithm>
#include <cmath>

#include "fedload/core/error.hpp"
#include "fedload/data/time.hpp"
#include "fedload/model/baselines.hpp"
#include "fedload/model/trainer.hpp"

namespace fedload::app {
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

std::vector<float> denormalize(const std::vector<float>& v, const data::Normalizer& n) {
  std::vector<float> out(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) out[i] = static_cast<float>(n.denormalize(v[i]));
  return out;
}

}  // namespace

std::vector<ClientForecasts> forecast_test_days(const data::ClientDatasets& data,
                                                kernels::ForecasterBackend& backend, bool refit,
                                                double* ridge_lambda) {
  // ridge: one model over every client's (per-client normalized) windows, like the LSTM
  Pooled train, val;
  for (const auto& c : data.clients) {
    append(train, c.train);
    append(val, c.val.empty() ? c.train : c.val);
  }
  model::RidgeForecaster ridge;
  const std::vector<double> lambdas = {1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0, 1000.0};
  const double lambda = ridge.fit(train.x, train.dow, train.y, static_cast<int>(data.lookback),
                                  static_cast<int>(data.horizon), val.x, val.dow, val.y, lambdas);
  if (ridge_lambda) *ridge_lambda = lambda;
  if (refit) {
    Pooled all = train;
    all.x.insert(all.x.end(), val.x.begin(), val.x.end());
    all.y.insert(all.y.end(), val.y.begin(), val.y.end());
    all.dow.insert(all.dow.end(), val.dow.begin(), val.dow.end());
    ridge.fit(all.x, all.dow, all.y, static_cast<int>(data.lookback), static_cast<int>(data.horizon), val.x, val.dow,
              val.y, {lambda});
  }

  std::vector<ClientForecasts> out;
  for (const auto& c : data.clients) {
    const auto& w = c.test_midnight;
    if (w.empty()) throw_input_error("client {}: no test day starts at midnight with a full lookback", c.client);
    ClientForecasts f;
    f.client = c.client;
    f.origin.assign(w.origin.begin(), w.origin.end());
    f.actual = denormalize(w.y, c.normalizer);
    f.predicted.push_back(denormalize(model::predict_rows(backend, w.x.data(), w.size()), c.normalizer));
    f.predicted.push_back(data::seasonal_naive_forecast(c, w, data.resolution_seconds, data.steps_per_day));
    f.predicted.push_back(data::seasonal_naive_forecast(c, w, data.resolution_seconds, 7 * data.steps_per_day));
    f.predicted.push_back(denormalize(ridge.predict(lookback_load(w), origin_day_of_week(w)), c.normalizer));
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<MethodMetrics> score_forecasts(const std::vector<ClientForecasts>& forecasts) {
  std::vector<MethodMetrics> out;
  const auto& methods = forecast_methods();
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
    for (const auto& f : forecasts) {
      score(f.actual, f.predicted[m], static_cast<std::int64_t>(f.client));
      all_y.insert(all_y.end(), f.actual.begin(), f.actual.end());
      all_p.insert(all_p.end(), f.predicted[m].begin(), f.predicted[m].end());
    }
    score(all_y, all_p, -1);
  }
  return out;
}

}  // namespace fedload::app
