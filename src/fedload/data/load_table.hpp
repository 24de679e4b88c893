#pragma once
// A load table on a regular time grid: every column has one value per step from `start`, with
// NaN where the source had no value (a missing cell or a step inserted into a gap).
#include <algorithm>
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

// A table's grid and column count without its values.
struct TableShape {
  std::size_t columns = 0;
  std::size_t steps = 0;
  Timestamp start = 0;
  std::int64_t resolution_seconds = 3600;
  std::size_t steps_per_day = 24;
};

// A column can be empty when its source was asked for some columns only (synthetic data built
// for the clients of one rank): it is named but was never generated, and must not be read.
struct LoadTable {
  std::string source;                      // file path, or "synthetic"
  std::vector<std::string> columns;
  Timestamp start = 0;                     // time of step 0
  std::int64_t resolution_seconds = 3600;
  std::size_t steps_per_day = 24;          // 86400 / resolution_seconds
  std::vector<std::vector<double>> values; // [column][step]
  GridRepairs repairs;

  std::size_t steps() const {  // the loaded columns' length
    std::size_t n = 0;
    for (const auto& column : values) n = std::max(n, column.size());
    return n;
  }
  Timestamp time_at(std::size_t step) const { return start + static_cast<std::int64_t>(step) * resolution_seconds; }
  int resolution_minutes() const { return static_cast<int>(resolution_seconds / 60); }
  TableShape shape() const { return {columns.size(), steps(), start, resolution_seconds, steps_per_day}; }
};

}  // namespace fedload::data
