#include "fedload/data/resolution.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include <fmt/format.h>

#include "fedload/core/error.hpp"

namespace fedload::data {

namespace {
constexpr std::size_t kMixedStretch = 4;  // equal off-resolution differences in a row
}

std::size_t TimelineReport::count(TimelineIssueKind kind) const {
  return static_cast<std::size_t>(
      std::count_if(issues.begin(), issues.end(), [&](const TimelineIssue& i) { return i.kind == kind; }));
}

std::size_t TimelineReport::missing_steps() const {
  std::size_t n = 0;
  for (const auto& i : issues)
    if (i.kind == TimelineIssueKind::kGap) n += i.missing_steps;
  return n;
}

bool TimelineReport::regular() const {
  return std::all_of(issues.begin(), issues.end(), [](const TimelineIssue& i) { return i.kind == TimelineIssueKind::kGap; });
}

TimelineReport analyze_timeline(const RawTable& raw) {
  if (raw.rows() < 2)
    throw_input_error("{}: {} data row(s); at least 2 are needed to find the resolution", raw.path, raw.rows());
  std::map<std::int64_t, std::size_t> histogram;
  for (std::size_t r = 1; r < raw.rows(); ++r) {
    const std::int64_t d = raw.times[r] - raw.times[r - 1];
    if (d > 0) ++histogram[d];
  }
  if (histogram.empty())
    throw_input_error("{}: no two rows have increasing timestamps; the resolution cannot be found", raw.path);
  // the most frequent difference; ties go to the smaller one
  auto best = histogram.begin();
  for (auto it = histogram.begin(); it != histogram.end(); ++it)
    if (it->second > best->second) best = it;
  TimelineReport report;
  report.resolution_seconds = best->first;
  const std::int64_t res = report.resolution_seconds;
  if (kSecondsPerDay % res != 0)
    throw_input_error("{}: the detected resolution of {} s does not divide a day (86400 s); "
                      "steps per day would not be whole", raw.path, res);
  report.steps_per_day = static_cast<std::size_t>(kSecondsPerDay / res);

  std::size_t run = 0;
  std::int64_t run_diff = 0;
  for (std::size_t r = 1; r < raw.rows(); ++r) {
    const std::int64_t d = raw.times[r] - raw.times[r - 1];
    TimelineIssue issue{TimelineIssueKind::kGap, r, raw.lines[r], raw.times[r - 1], raw.times[r], 0};
    // count a stretch of equal off-resolution differences; report it once when it gets long
    if (d > 0 && d != res && d == run_diff) {
      ++run;
    } else {
      run = (d > 0 && d != res) ? 1 : 0;
      run_diff = d;
    }
    if (run == kMixedStretch) {
      issue.kind = TimelineIssueKind::kMixedResolution;
      report.issues.push_back(issue);
      continue;
    }
    if (d == res) continue;
    if (d == 0) {
      issue.kind = TimelineIssueKind::kDuplicate;
    } else if (d < 0) {
      issue.kind = TimelineIssueKind::kOutOfOrder;
    } else if (d % res != 0) {
      issue.kind = TimelineIssueKind::kOffGrid;
    } else {
      issue.missing_steps = static_cast<std::size_t>(d / res - 1);
    }
    report.issues.push_back(issue);
  }
  return report;
}

std::string describe(const TimelineIssue& issue, const RawTable& raw, std::int64_t res) {
  const std::string where = fmt::format("{}:{}", raw.path, issue.line);
  const std::string now = format_timestamp(issue.time), before = format_timestamp(issue.previous);
  switch (issue.kind) {
    case TimelineIssueKind::kGap:
      return fmt::format("{}: gap of {} missing step(s) between {} and {}", where, issue.missing_steps, before, now);
    case TimelineIssueKind::kDuplicate:
      return fmt::format("{}: duplicate timestamp {} (same as the line before)", where, now);
    case TimelineIssueKind::kOutOfOrder:
      return fmt::format("{}: timestamp {} comes before the previous row's {}; rows must be in time order", where,
                         now, before);
    case TimelineIssueKind::kOffGrid:
      return fmt::format("{}: mixed resolution: {} is {} min after {}, not a multiple of the file's {} min", where,
                         now, (issue.time - issue.previous) / 60.0, before, res / 60.0);
    case TimelineIssueKind::kMixedResolution:
      return fmt::format("{}: mixed resolution: rows up to here are {} min apart, the file's resolution is {} min",
                         where, (issue.time - issue.previous) / 60.0, res / 60.0);
  }
  return where;
}

LoadTable regularize(const RawTable& raw, const TimelineReport& timeline) {
  for (const auto& issue : timeline.issues)
    if (issue.kind != TimelineIssueKind::kGap) throw InputError(describe(issue, raw, timeline.resolution_seconds));

  LoadTable table;
  table.source = raw.path;
  table.columns = raw.columns;
  table.start = raw.times.front();
  table.resolution_seconds = timeline.resolution_seconds;
  table.steps_per_day = timeline.steps_per_day;
  const std::size_t steps =
      static_cast<std::size_t>((raw.times.back() - raw.times.front()) / timeline.resolution_seconds) + 1;
  table.values.assign(raw.columns.size(), std::vector<double>(steps, std::numeric_limits<double>::quiet_NaN()));
  for (std::size_t r = 0; r < raw.rows(); ++r) {
    const auto step = static_cast<std::size_t>((raw.times[r] - table.start) / timeline.resolution_seconds);
    for (std::size_t c = 0; c < raw.columns.size(); ++c) table.values[c][step] = raw.values[c][r];
  }
  table.repairs.gaps = timeline.count(TimelineIssueKind::kGap);
  table.repairs.gap_steps_inserted = timeline.missing_steps();
  for (std::size_t c = 0; c < raw.columns.size(); ++c) {
    const auto& col = raw.values[c];
    const auto missing = static_cast<std::size_t>(std::count_if(col.begin(), col.end(), [](double v) { return std::isnan(v); }));
    if (missing == col.size())
      throw_input_error("{}: column '{}' (column {}) has no value at all: every cell is missing", raw.path,
                        raw.columns[c], raw.column_positions[c]);
    table.repairs.missing_cells += missing;
  }
  return table;
}

LoadTable load_csv(const std::string& path, const CsvOptions& options) {
  const RawTable raw = read_load_csv(path, options);
  return regularize(raw, analyze_timeline(raw));
}

}  // namespace fedload::data
