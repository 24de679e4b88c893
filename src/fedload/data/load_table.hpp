#pragma once
// A load table on a regular time grid: every column has one value per step from `start`, with
// NaN where the source had no value (a missing cell or a step inserted into a gap).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fedload/data/time.hpp"

namespace fedload::data {

// what turning the file into a regular grid changed; reported, never silent
struct GridRepairs {
  std::size_t gaps = 0;               // places where the file skips one or more steps
  std::size_t gap_steps_inserted = 0; // steps inserted into those gaps (their values are NaN)
  std::size_t missing_cells = 0;      // cells the file marked missing (empty, NA, ...)
};

struct LoadTable {
  std::string source;                      // file path, or "synthetic"
  std::vector<std::string> columns;
  Timestamp start = 0;                     // time of step 0
  std::int64_t resolution_seconds = 3600;
  std::size_t steps_per_day = 24;          // 86400 / resolution_seconds
  std::vector<std::vector<double>> values; // [column][step]
  GridRepairs repairs;

  std::size_t steps() const { return values.empty() ? 0 : values.front().size(); }
  Timestamp time_at(std::size_t step) const { return start + static_cast<std::int64_t>(step) * resolution_seconds; }
  int resolution_minutes() const { return static_cast<int>(resolution_seconds / 60); }
};

}  // namespace fedload::data
