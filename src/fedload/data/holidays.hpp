#pragma once
// Holiday calendars for the holiday feature and for the synthetic generator.
//
// Built-in rule set (fixed-date holidays only, every year; no Easter or other movable feasts,
// no national calendar): January 1 (New Year's Day), May 1 (Labour Day), December 25
// (Christmas Day), December 26 (the day after Christmas). It is a rough, region-neutral default;
// for real data supply the region's dates in a file.
//
// Holiday file: CSV or plain text with one ISO date (YYYY-MM-DD) as the first field of each line;
// a header line on line 1, blank lines and lines starting with '#' are skipped; any other line
// whose first field is not a date is an InputError naming file and line. A file replaces the
// built-in rules entirely (the dates in it are the only holidays).
//
// The synthetic generator draws its holidays from the same calendar the features use: the
// built-in rules unless a holiday file is given, so the holiday mark always matches the load.
#include <cstdint>
#include <set>
#include <string>

namespace fedload::data {

class HolidayCalendar {
 public:
  static HolidayCalendar builtin_fixed_dates();
  static HolidayCalendar from_file(const std::string& path);
  // an empty path gives the built-in rules
  static HolidayCalendar from_option(const std::string& path);

  bool is_holiday(std::int64_t day) const;
  // "built-in fixed dates (Jan 1, May 1, Dec 25, Dec 26)" or "<path> (<n> dates)"
  std::string describe() const;
  std::size_t listed_dates() const { return dates_.size(); }

 private:
  bool fixed_rules_ = false;
  std::string path_;
  std::set<std::int64_t> dates_;
};

}  // namespace fedload::data
