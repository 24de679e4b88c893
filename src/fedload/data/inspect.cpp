#include "fedload/data/inspect.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <vector>

#include <fmt/format.h>

#include "fedload/core/error.hpp"
#include "fedload/data/resolution.hpp"

namespace fedload::data {

namespace {

constexpr std::size_t kListedPerKind = 10;

const char* kind_name(TimelineIssueKind kind) {
  switch (kind) {
    case TimelineIssueKind::kGap: return "gap";
    case TimelineIssueKind::kDuplicate: return "duplicate";
    case TimelineIssueKind::kOutOfOrder: return "out-of-order";
    case TimelineIssueKind::kOffGrid: return "off-grid";
    case TimelineIssueKind::kMixedResolution: return "mixed-resolution";
  }
  return "?";
}

struct ColumnFacts {
  std::size_t missing = 0, non_positive = 0;
  double min = 0, mean = 0, max = 0;
  std::size_t absolute = 0, residual = 0;
};

ColumnFacts facts(std::vector<double> v, std::size_t steps_per_day, double k) {
  ColumnFacts f;
  double sum = 0;
  std::size_t n = 0;
  bool any = false;
  for (const double x : v) {
    if (std::isnan(x)) {
      ++f.missing;
      continue;
    }
    if (x <= 0) ++f.non_positive;
    f.min = any ? std::min(f.min, x) : x;
    f.max = any ? std::max(f.max, x) : x;
    any = true;
    sum += x;
    ++n;
  }
  f.mean = n ? sum / static_cast<double>(n) : std::nan("");
  if (!any) return f;
  // both rules skip missing values, as cleaning does before it imputes
  std::vector<double> copy = v;
  f.absolute = correct_absolute_outliers(copy, k);
  f.residual = correct_seasonal_residual_outliers(v, steps_per_day, k);
  return f;
}

}  // namespace

std::string inspect_csv(const std::string& path, const InspectOptions& options) {
  if (!(options.k > 0.0)) throw_input_error("inspect: k = {} must be > 0", options.k);
  const RawTable raw = read_load_csv(path, options.csv);
  const TimelineReport timeline = analyze_timeline(raw);
  const std::int64_t res = timeline.resolution_seconds;
  std::string out;
  const auto line = [&out]<typename... Args>(fmt::format_string<Args...> f, Args&&... args) {
    fmt::format_to(std::back_inserter(out), f, std::forward<Args>(args)...);
    out.push_back('\n');
  };
  const auto [first, last] = std::minmax_element(raw.times.begin(), raw.times.end());
  line("file          {}", path);
  line("rows          {} (lines {} to {})", raw.rows(), raw.lines.front(), raw.lines.back());
  line("timestamp     column '{}'", raw.timestamp_column);
  if (res % 60 == 0) {
    line("resolution    {} min ({} steps per day)", res / 60, timeline.steps_per_day);
  } else {
    line("resolution    {} s ({} steps per day)", res, timeline.steps_per_day);
  }
  line("span          {} to {} ({:.2f} days)", format_timestamp(*first), format_timestamp(*last),
       static_cast<double>(*last - *first + res) / kSecondsPerDay);
  line("columns       {}: {}", raw.columns.size(), fmt::join(raw.columns, ", "));
  line("gaps          {} ({} missing steps; loading inserts them as missing values)",
       timeline.count(TimelineIssueKind::kGap), timeline.missing_steps());
  line("duplicates    {}", timeline.count(TimelineIssueKind::kDuplicate));
  line("out of order  {}", timeline.count(TimelineIssueKind::kOutOfOrder));
  line("mixed res.    {}", timeline.count(TimelineIssueKind::kOffGrid) + timeline.count(TimelineIssueKind::kMixedResolution));
  std::vector<std::size_t> listed(5, 0);
  for (const auto& issue : timeline.issues) {
    auto& n = listed[static_cast<std::size_t>(issue.kind)];
    if (n++ < kListedPerKind) line("  {:<16} {}", kind_name(issue.kind), describe(issue, raw, res));
  }

  // the columns as loading would see them: on the grid when it can be built, else in file order
  std::vector<std::vector<double>> columns = raw.values;
  std::string refusal;
  try {
    columns = regularize(raw, timeline).values;
  } catch (const InputError& e) {
    refusal = e.what();
  }
  line("");
  line("{:<14} {:>8} {:>12} {:>12} {:>12} {:>12} {:>10} {:>10}", "column", "missing", "non_positive", "min", "mean",
       "max", "absolute", "seasonal");
  std::size_t total_missing = 0;
  for (std::size_t c = 0; c < columns.size(); ++c) {
    const ColumnFacts f = facts(columns[c], timeline.steps_per_day, options.k);
    total_missing += f.missing;
    line("{:<14} {:>8} {:>12} {:>12.4g} {:>12.4g} {:>12.4g} {:>10} {:>10}", raw.columns[c], f.missing, f.non_positive,
         f.min, f.mean, f.max, f.absolute, f.residual);
  }
  line("");
  line("cleaning (k = {}):", options.k);
  line("  missing values (cells and gap steps) imputed by the column mean: {}", total_missing);
  line("  columns 'absolute' and 'seasonal' count the outliers each rule would replace");
  line("  non_positive > 0: MAPE is not meaningful on that column; use MAE/RMSE");
  if (refusal.empty()) {
    line("loading       ok");
  } else {
    line("loading       refused: {}", refusal);
  }
  return out;
}

}  // namespace fedload::data
