#pragma once
// Sliding windows over one series' feature rows, in the layout the forecaster consumes:
//   x      [N][L][F] float, batch-major (F = kFeatureCount features per step, load first)
//   y      [N][H]    float, the normalized load of the H steps after the lookback
//   origin [N]       timestamp of the first forecast step (the lookback covers the L steps
//                    before it)
// A window belongs to a span [begin, end) of steps when all its H targets lie in the span;
// its lookback may reach before `begin` (that history is known when the forecast is made),
// never before step 0.
#include <cstddef>
#include <span>
#include <vector>

#include "fedload/data/time.hpp"

namespace fedload::data {

struct WindowOptions {
  std::size_t lookback = 24;  // L, steps, >= 1
  std::size_t horizon = 24;   // H, steps, >= 1
  std::size_t stride = 1;     // steps between consecutive origins, >= 1
};

struct WindowSet {
  std::size_t lookback = 0, horizon = 0, features = 0;
  std::vector<float> x;
  std::vector<float> y;
  std::vector<Timestamp> origin;

  std::size_t size() const { return origin.size(); }
  bool empty() const { return origin.empty(); }
};

// Where one series sits in time; `features` is [steps][F] row-major.
struct FeatureSeries {
  std::span<const float> features;
  std::size_t feature_count = 0;
  Timestamp start = 0;
  std::int64_t resolution_seconds = 3600;
  std::size_t steps() const { return feature_count == 0 ? 0 : features.size() / feature_count; }
};

// Appends windows with origins begin', begin' + stride, ... where begin' = max(begin, L) and the
// last origin t has t + H <= end. Sets the set's L, H, F on first use (InputError on a mismatch).
void append_windows(WindowSet& set, const FeatureSeries& series, std::size_t begin, std::size_t end,
                    const WindowOptions& options);

// Appends one window per midnight in [begin, end) whose lookback and horizon fit: day-ahead
// forecasts from midnight, for evaluation. Stride is ignored.
void append_midnight_windows(WindowSet& set, const FeatureSeries& series, std::size_t begin, std::size_t end,
                             const WindowOptions& options);

}  // namespace fedload::data
