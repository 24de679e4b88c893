#include "fedload/data/synthetic.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include <fmt/format.h>

#include "fedload/core/error.hpp"
#include "fedload/core/rng.hpp"

namespace fedload::data {

namespace {

constexpr double kTwoPi = 2.0 * std::numbers::pi;
constexpr double kHeatingBelow = 15.0;  // °C
constexpr double kCoolingAbove = 22.0;  // °C

struct SeriesShape {
  double scale, base;
  double morning_height, morning_hour, midday_height, evening_height, evening_hour;
  double weekend_factor, holiday_factor;
  double heating, cooling;
  double noise_sd, noise_memory;
};

SeriesShape draw_shape(CounterRng& rng) {
  SeriesShape s{};
  s.scale = std::exp(rng.uniform(std::log(10.0), std::log(500.0)));  // kW, log-uniform
  s.base = rng.uniform(0.3, 0.6);
  s.morning_height = rng.uniform(0.1, 0.5);
  s.morning_hour = rng.uniform(6.5, 9.0);
  s.midday_height = rng.uniform(0.0, 0.4);  // large for offices and shops
  s.evening_height = rng.uniform(0.2, 0.8);
  s.evening_hour = rng.uniform(18.0, 20.5);
  s.weekend_factor = rng.uniform(0.55, 1.1);
  s.holiday_factor = std::min(s.weekend_factor, 1.0) * rng.uniform(0.8, 0.95);  // below any weekday
  s.heating = rng.uniform(0.0, 0.04);  // share of scale per °C below 15
  s.cooling = rng.uniform(0.0, 0.05);  // per °C above 22
  s.noise_sd = rng.uniform(0.02, 0.08);
  s.noise_memory = rng.uniform(0.3, 0.8);
  return s;
}

double bump(double hour, double centre, double width) {
  const double z = (hour - centre) / width;
  return std::exp(-0.5 * z * z);
}

std::int64_t validated_start_day(const SyntheticOptions& o) {
  if (o.series < 1) throw_input_error("synthetic data: series (clients) must be >= 1, got {}", o.series);
  if (o.days < 1) throw_input_error("synthetic data: days must be >= 1, got {}", o.days);
  if (o.resolution_minutes != 15 && o.resolution_minutes != 30 && o.resolution_minutes != 60)
    throw_input_error("synthetic data: resolution_minutes must be 15, 30 or 60, got {}", o.resolution_minutes);
  const auto start = parse_date(o.start_date);
  if (!start) throw_input_error("synthetic data: start date '{}' is not YYYY-MM-DD", o.start_date);
  return *start;
}

std::size_t grid_steps_per_day(const SyntheticOptions& o) { return static_cast<std::size_t>(24 * 60 / o.resolution_minutes); }

// the series to generate, in increasing order
std::vector<std::size_t> selected_series(const SyntheticOptions& o) {
  if (!o.only_series) {
    std::vector<std::size_t> all(o.series);
    for (std::size_t s = 0; s < o.series; ++s) all[s] = s;
    return all;
  }
  const std::vector<std::size_t>& only = *o.only_series;
  for (std::size_t i = 0; i < only.size(); ++i) {
    if (only[i] >= o.series)
      throw_input_error("synthetic data: series {} was asked for, but there are only {} (ids 0..{})", only[i],
                        o.series, o.series - 1);
    if (i > 0 && only[i] <= only[i - 1])
      throw_input_error("synthetic data: the series asked for must be strictly increasing; {} follows {}", only[i],
                        only[i - 1]);
  }
  return only;
}

}  // namespace

TableShape synthetic_shape(const SyntheticOptions& options) {
  const std::int64_t start_day = validated_start_day(options);
  const std::size_t per_day = grid_steps_per_day(options);
  return {options.series, options.days * per_day, start_day * kSecondsPerDay,
          static_cast<std::int64_t>(options.resolution_minutes) * 60, per_day};
}

std::vector<double> synthetic_temperature(const SyntheticOptions& options, std::uint64_t seed) {
  const std::int64_t start_day = validated_start_day(options);
  const std::size_t steps_per_day = grid_steps_per_day(options);
  CounterRng weather(seed, 0);
  std::vector<double> temperature(options.days * steps_per_day);
  double anomaly = 0.0;
  for (std::size_t d = 0; d < options.days; ++d) {
    // one weather anomaly per day, persistent from day to day
    anomaly = 0.7 * anomaly + 2.0 * weather.normal();
    const double season = 11.0 - 10.0 * std::cos(kTwoPi * (day_of_year(start_day + static_cast<std::int64_t>(d)) - 15) / 365.25);
    for (std::size_t k = 0; k < steps_per_day; ++k) {
      const double hour = 24.0 * static_cast<double>(k) / static_cast<double>(steps_per_day);
      temperature[d * steps_per_day + k] = season + anomaly + 4.0 * std::cos(kTwoPi * (hour - 15.0) / 24.0);
    }
  }
  return temperature;
}

LoadTable generate_synthetic(const SyntheticOptions& options, std::uint64_t seed, const HolidayCalendar& holidays) {
  const TableShape grid = synthetic_shape(options);
  const std::vector<std::size_t> selected = selected_series(options);
  const std::int64_t start_day = grid.start / kSecondsPerDay;
  const std::vector<double> temperature = synthetic_temperature(options, seed);
  LoadTable table;
  table.source = "synthetic";
  table.start = grid.start;
  table.resolution_seconds = grid.resolution_seconds;
  table.steps_per_day = grid.steps_per_day;
  table.values.resize(options.series);  // the series not selected stay empty
  for (std::size_t s = 0; s < options.series; ++s) table.columns.push_back(fmt::format("synthetic_{}", s));
  for (const std::size_t s : selected) {
    CounterRng rng(seed, 1 + s);
    const SeriesShape shape = draw_shape(rng);
    std::vector<double>& load = table.values[s];
    load.resize(grid.steps);
    double noise = 0.0;
    const double innovation_sd = shape.noise_sd * std::sqrt(1.0 - shape.noise_memory * shape.noise_memory);
    for (std::size_t t = 0; t < grid.steps; ++t) {
      const std::int64_t day = start_day + static_cast<std::int64_t>(t / table.steps_per_day);
      const double hour = 24.0 * static_cast<double>(t % table.steps_per_day) / static_cast<double>(table.steps_per_day);
      double day_factor = 1.0;
      if (holidays.is_holiday(day)) {
        day_factor = shape.holiday_factor;
      } else if (day_of_week(day) >= 5) {
        day_factor = shape.weekend_factor;
      }
      const double profile = shape.morning_height * bump(hour, shape.morning_hour, 1.5) +
                             shape.midday_height * bump(hour, 13.0, 3.0) +
                             shape.evening_height * bump(hour, shape.evening_hour, 2.0);
      const double weather = shape.heating * std::max(0.0, kHeatingBelow - temperature[t]) +
                             shape.cooling * std::max(0.0, temperature[t] - kCoolingAbove);
      noise = shape.noise_memory * noise + innovation_sd * rng.normal();
      load[t] = shape.scale * (shape.base + profile * day_factor + weather) * std::exp(noise);
    }
  }
  return table;
}

}  // namespace fedload::data
