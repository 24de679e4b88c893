#pragma once
// DearFSAC input features, one row of kFeatureCount floats per time step, load first:
//   0 load         min–max normalized with a Normalizer fitted on the training span only
//                  (values outside that span's range fall outside [0, 1], by design)
//   1 hour_of_day  step of the day / steps per day, in [0, 1) (hour index at any resolution)
//   2 dow_sin      sin(2π · day of week / 7), Monday = 0
//   3 dow_cos      cos(2π · day of week / 7)
//   4 holiday      1 on a holiday of the calendar, else 0
#include <array>
#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

#include "fedload/data/holidays.hpp"
#include "fedload/data/time.hpp"

namespace fedload::data {

inline constexpr std::size_t kFeatureCount = 5;
inline constexpr std::array<std::string_view, kFeatureCount> kFeatureNames = {"load", "hour_of_day", "dow_sin",
                                                                              "dow_cos", "holiday"};

// min–max scaling kept so forecasts can be mapped back to original units
struct Normalizer {
  double min = 0.0;
  double max = 1.0;

  // fitted on the values given (the training span); a constant span gets a range of 1 so
  // nothing divides by zero. InputError on an empty span.
  static Normalizer fit(std::span<const double> train_values);
  // fitted on several spans together (a client owning several series)
  static Normalizer fit(const std::vector<std::span<const double>>& train_spans);

  double range() const { return max - min; }
  double normalize(double v) const { return (v - min) / range(); }
  double denormalize(double v) const { return min + v * range(); }
  // normalized model outputs (or targets) back in original units, as float
  std::vector<float> denormalize(std::span<const float> v) const {
    std::vector<float> out(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) out[i] = static_cast<float>(denormalize(v[i]));
    return out;
  }
};

// features of `load.size()` consecutive steps starting at `start`, row-major [steps][F]
std::vector<float> make_features(std::span<const double> load, Timestamp start, std::int64_t resolution_seconds,
                                 const Normalizer& normalizer, const HolidayCalendar& holidays);

}  // namespace fedload::data
