#pragma once
// Splitting one series (or one client's slice of it) into train, validation and test spans by
// time: train [begin, val_begin), validation [val_begin, test_begin), test [test_begin, end).
// - by "last N days" (split_date empty): test_begin is the last midnight with at least
//   test_days days of steps after it (so the test span starts at midnight and holds the last
//   test_days whole days plus any partial day at the end);
// - by date (split_date = "YYYY-MM-DD"): test_begin is that date's midnight.
// The validation span is the val_days days before test_begin (0 = none); training is the rest.
#include <cstddef>
#include <string>

#include "fedload/data/time.hpp"

namespace fedload::data {

struct SplitOptions {
  std::size_t test_days = 14;  // >= 1 (ignored with split_date)
  std::size_t val_days = 7;    // >= 0
  std::string split_date;      // "" or YYYY-MM-DD: first test day
};

struct SplitSpans {
  std::size_t begin = 0, val_begin = 0, test_begin = 0, end = 0;  // step indices
  std::size_t train_steps() const { return val_begin - begin; }
  std::size_t val_steps() const { return test_begin - val_begin; }
  std::size_t test_steps() const { return end - test_begin; }
};

// Steps [begin, end) of a series whose step 0 is at `start`. InputError when a span would be
// empty or the split date falls outside the slice; `what` names the series in messages.
SplitSpans split_by_time(std::size_t begin, std::size_t end, Timestamp start, std::int64_t resolution_seconds,
                         const SplitOptions& options, const std::string& what);

}  // namespace fedload::data
