#pragma once
// Resolution detection and the timeline checks of a raw CSV table.
//
// The resolution is the most frequent positive difference between consecutive timestamps; it
// must divide a day, and steps per day follow from it (never assumed to be 24). Against it,
// each consecutive pair of rows is one of:
//   - on time:      the next step;
//   - gap:          a whole number of steps later. Repair: the missing steps are inserted
//                   with missing values, imputed by cleaning; both are counted and reported;
//   - duplicate:    the same timestamp again                    -> InputError;
//   - out of order: an earlier timestamp                        -> InputError;
//   - off grid:     not a whole number of steps later           -> InputError (mixed resolution);
//   - a stretch of 4 or more consecutive equal differences other than the resolution is a part
//     of the file sampled at another resolution                -> InputError (mixed resolution).
#include <cstddef>
#include <string>
#include <vector>

#include "fedload/data/csv_reader.hpp"
#include "fedload/data/load_table.hpp"

namespace fedload::data {

enum class TimelineIssueKind { kGap, kDuplicate, kOutOfOrder, kOffGrid, kMixedResolution };

struct TimelineIssue {
  TimelineIssueKind kind;
  std::size_t row = 0;       // the later row of the pair (0-based)
  std::size_t line = 0;      // its line in the file
  Timestamp previous = 0;    // timestamp of the row before it
  Timestamp time = 0;        // its timestamp
  std::size_t missing_steps = 0;  // gaps only
};

struct TimelineReport {
  std::int64_t resolution_seconds = 0;
  std::size_t steps_per_day = 0;
  std::vector<TimelineIssue> issues;  // in file order
  std::size_t count(TimelineIssueKind kind) const;
  std::size_t missing_steps() const;  // summed over gaps
  bool regular() const;               // true when only gaps (repairable) were found
};

// Needs at least 2 rows. Throws InputError when no resolution can be found (fewer than 2 rows,
// no positive difference) or when it does not divide a day.
TimelineReport analyze_timeline(const RawTable& raw);

// One line naming the issue with file and line, e.g. "ETTh1.csv:12: duplicate timestamp ...".
std::string describe(const TimelineIssue& issue, const RawTable& raw, std::int64_t resolution_seconds);

// The raw table on a regular grid. Throws InputError for the first non-repairable issue and for
// a column with no value at all. Gaps are filled with NaN and counted in repairs.
LoadTable regularize(const RawTable& raw, const TimelineReport& timeline);

// read_load_csv + analyze_timeline + regularize
LoadTable load_csv(const std::string& path, const CsvOptions& options = {});

}  // namespace fedload::data
