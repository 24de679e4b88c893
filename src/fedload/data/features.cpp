#include "fedload/data/features.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "fedload/core/error.hpp"

namespace fedload::data {

Normalizer Normalizer::fit(std::span<const double> train_values) {
  return fit(std::vector<std::span<const double>>{train_values});
}

Normalizer Normalizer::fit(const std::vector<std::span<const double>>& train_spans) {
  bool any = false;
  Normalizer n{0.0, 0.0};
  for (const auto& span : train_spans)
    for (const double v : span) {
      n.min = any ? std::min(n.min, v) : v;
      n.max = any ? std::max(n.max, v) : v;
      any = true;
    }
  if (!any) throw_input_error("the training span is empty: no values to fit the normalizer on");
  if (!(n.max > n.min)) n.max = n.min + 1.0;
  return n;
}

std::vector<float> make_features(std::span<const double> load, Timestamp start, std::int64_t resolution_seconds,
                                 const Normalizer& normalizer, const HolidayCalendar& holidays) {
  constexpr double kTwoPi = 2.0 * std::numbers::pi;
  std::vector<float> features(load.size() * kFeatureCount);
  for (std::size_t t = 0; t < load.size(); ++t) {
    const Timestamp time = start + static_cast<std::int64_t>(t) * resolution_seconds;
    const std::int64_t day = day_of(time);
    const int dow = day_of_week(day);
    float* row = features.data() + t * kFeatureCount;
    row[0] = static_cast<float>(normalizer.normalize(load[t]));
    row[1] = static_cast<float>(static_cast<double>(seconds_of_day(time)) / static_cast<double>(kSecondsPerDay));
    row[2] = static_cast<float>(std::sin(kTwoPi * dow / 7.0));
    row[3] = static_cast<float>(std::cos(kTwoPi * dow / 7.0));
    row[4] = holidays.is_holiday(day) ? 1.0f : 0.0f;
  }
  return features;
}

}  // namespace fedload::data
