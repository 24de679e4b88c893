#include "fedload/data/holidays.hpp"

#include <fstream>

#include <fmt/format.h>

#include "fedload/core/error.hpp"
#include "fedload/data/time.hpp"

namespace fedload::data {

HolidayCalendar HolidayCalendar::builtin_fixed_dates() {
  HolidayCalendar c;
  c.fixed_rules_ = true;
  return c;
}

HolidayCalendar HolidayCalendar::from_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw_input_error("{}: cannot open the holiday file", path);
  HolidayCalendar c;
  c.path_ = path;
  std::string line;
  std::size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    const std::string field = line.substr(0, line.find(','));
    const auto day = parse_date(field);
    if (!day) {
      if (line_no == 1) continue;  // header
      throw_input_error("{}:{}: '{}' is not a date (expected YYYY-MM-DD)", path, line_no, field);
    }
    c.dates_.insert(*day);
  }
  if (c.dates_.empty()) throw_input_error("{}: the holiday file lists no dates", path);
  return c;
}

HolidayCalendar HolidayCalendar::from_option(const std::string& path) {
  return path.empty() ? builtin_fixed_dates() : from_file(path);
}

bool HolidayCalendar::is_holiday(std::int64_t day) const {
  if (fixed_rules_) {
    const CivilDate d = civil_from_days(day);
    return (d.month == 1 && d.day == 1) || (d.month == 5 && d.day == 1) || (d.month == 12 && (d.day == 25 || d.day == 26));
  }
  return dates_.count(day) != 0;
}

std::string HolidayCalendar::describe() const {
  if (fixed_rules_) return "built-in fixed dates (Jan 1, May 1, Dec 25, Dec 26)";
  return fmt::format("{} ({} dates)", path_, dates_.size());
}

}  // namespace fedload::data
