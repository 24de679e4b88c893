#include "fedload/data/windows.hpp"

#include <algorithm>

#include "fedload/core/error.hpp"

namespace fedload::data {

namespace {

void prepare(WindowSet& set, const FeatureSeries& series, const WindowOptions& options) {
  if (options.lookback < 1 || options.horizon < 1 || options.stride < 1)
    throw_input_error("windows: lookback ({}), horizon ({}) and stride ({}) must each be >= 1", options.lookback,
                      options.horizon, options.stride);
  if (set.features == 0) {
    set.lookback = options.lookback;
    set.horizon = options.horizon;
    set.features = series.feature_count;
  } else if (set.lookback != options.lookback || set.horizon != options.horizon || set.features != series.feature_count) {
    throw_input_error("windows: appending L={} H={} F={} to a set of L={} H={} F={}", options.lookback,
                      options.horizon, series.feature_count, set.lookback, set.horizon, set.features);
  }
}

void push_window(WindowSet& set, const FeatureSeries& series, std::size_t origin) {
  const std::size_t f = series.feature_count;
  const float* first = series.features.data() + (origin - set.lookback) * f;
  set.x.insert(set.x.end(), first, first + set.lookback * f);
  for (std::size_t h = 0; h < set.horizon; ++h) set.y.push_back(series.features[(origin + h) * f]);  // load is feature 0
  set.origin.push_back(series.start + static_cast<std::int64_t>(origin) * series.resolution_seconds);
}

}  // namespace

void append_windows(WindowSet& set, const FeatureSeries& series, std::size_t begin, std::size_t end,
                    const WindowOptions& options) {
  prepare(set, series, options);
  end = std::min(end, series.steps());
  for (std::size_t t = std::max(begin, options.lookback); t + options.horizon <= end; t += options.stride)
    push_window(set, series, t);
}

void append_midnight_windows(WindowSet& set, const FeatureSeries& series, std::size_t begin, std::size_t end,
                             const WindowOptions& options) {
  prepare(set, series, options);
  end = std::min(end, series.steps());
  const std::size_t steps_per_day = static_cast<std::size_t>(kSecondsPerDay / series.resolution_seconds);
  for (std::size_t t = std::max(begin, options.lookback); t + options.horizon <= end; ++t) {
    if (seconds_of_day(series.start + static_cast<std::int64_t>(t) * series.resolution_seconds) != 0) continue;
    push_window(set, series, t);
    // the next midnight is a day later; skip ahead, then keep checking step by step
    t += steps_per_day - 1;
  }
}

}  // namespace fedload::data
