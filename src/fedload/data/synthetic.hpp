#pragma once
// The embedded synthetic load generator: one strictly positive load column per series, on a
// regular grid at 15-, 30- or 60-minute resolution, deterministic from the seed.
//
// Model (per series s, step t with hour h, day d):
//   load = scale_s · (base_s + profile_s(h) · day_factor_s(d) + heat_s · max(0, 15 − T)
//                     + cool_s · max(0, T − 22)) · exp(noise_s(t))
// - profile_s: morning, midday and evening bumps whose heights and hours differ per series
//   (shape), day_factor_s: 1 on weekdays, a per-series weekend factor on Saturday/Sunday and
//   a lower one on holidays (from the given calendar);
// - T: one regional temperature in °C shared by all series: an annual cycle (coldest mid-
//   January), a daily cycle (warmest 15:00) and a day-to-day AR(1) weather anomaly;
// - noise_s: AR(1) with a per-series standard deviation (noise level);
// - scale_s (10–500 kW), the heating and cooling sensitivities and the rest are drawn per series,
//   so series are non-IID. Every term is positive, hence loads are strictly positive.
// Random streams: CounterRng(seed, 0) drives the weather, CounterRng(seed, 1 + s) series s, so
// series s is the same whatever the number of series generated beside it, and a rank can
// generate only the series its clients read (`only_series`) and get the same values.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fedload/data/holidays.hpp"
#include "fedload/data/load_table.hpp"

namespace fedload::data {

struct SyntheticOptions {
  std::size_t series = 4;              // number of load columns, >= 1
  std::size_t days = 365;              // whole days, >= 1
  int resolution_minutes = 60;         // 15, 30 or 60
  std::string start_date = "2023-01-01";  // first day (midnight), YYYY-MM-DD
  // strictly increasing series ids < series; nullopt = all, empty = none. The other columns are
  // named but left empty (never generated); InputError for an id out of range or out of order.
  std::optional<std::vector<std::size_t>> only_series;
};

// columns are named "synthetic_0", "synthetic_1", ...
LoadTable generate_synthetic(const SyntheticOptions& options, std::uint64_t seed, const HolidayCalendar& holidays);

// the grid and column count generate_synthetic would give, without generating anything
// (InputError for the same bad options)
TableShape synthetic_shape(const SyntheticOptions& options);

// the shared regional temperature (°C) at every step of that grid
std::vector<double> synthetic_temperature(const SyntheticOptions& options, std::uint64_t seed);

}  // namespace fedload::data
