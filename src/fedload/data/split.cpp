#include "fedload/data/split.hpp"

#include "fedload/core/error.hpp"

namespace fedload::data {

SplitSpans split_by_time(std::size_t begin, std::size_t end, Timestamp start, std::int64_t resolution_seconds,
                         const SplitOptions& options, const std::string& what) {
  const std::size_t steps_per_day = static_cast<std::size_t>(kSecondsPerDay / resolution_seconds);
  const auto time_at = [&](std::size_t step) { return start + static_cast<std::int64_t>(step) * resolution_seconds; };
  // first step at or after a given time
  const auto step_at_or_after = [&](Timestamp t) -> std::size_t {
    if (t <= start) return 0;
    return static_cast<std::size_t>((t - start + resolution_seconds - 1) / resolution_seconds);
  };
  SplitSpans s;
  s.begin = begin;
  s.end = end;
  if (!options.split_date.empty()) {
    const auto day = parse_date(options.split_date);
    if (!day) throw_input_error("split_date '{}' is not YYYY-MM-DD", options.split_date);
    s.test_begin = step_at_or_after(*day * kSecondsPerDay);
    if (s.test_begin <= begin || s.test_begin >= end)
      throw_input_error("{}: split_date {} is outside its span {} .. {}", what, options.split_date,
                        format_timestamp(time_at(begin)), format_timestamp(time_at(end - 1)));
  } else {
    if (options.test_days < 1) throw_input_error("test_days must be >= 1 (or give split_date)");
    const std::size_t need = options.test_days * steps_per_day;
    if (need >= end - begin)
      throw_input_error("{}: {} test day(s) need {} steps, the span has only {}", what, options.test_days, need,
                        end - begin);
    // the midnight at or before end - need
    const Timestamp latest = time_at(end - need);
    const Timestamp midnight = day_of(latest) * kSecondsPerDay;
    s.test_begin = step_at_or_after(midnight);
    if (s.test_begin <= begin)
      throw_input_error("{}: {} test day(s) leave no steps before the test span", what, options.test_days);
  }
  const std::size_t val = options.val_days * steps_per_day;
  if (val >= s.test_begin - begin)
    throw_input_error("{}: {} validation day(s) leave no training steps before {}", what, options.val_days,
                      format_timestamp(time_at(s.test_begin)));
  s.val_begin = s.test_begin - val;
  return s;
}

}  // namespace fedload::data
