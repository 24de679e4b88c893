#include "fedload/data/time.hpp"

#include <cctype>

#include <fmt/format.h>

namespace fedload::data {

// the era-based conversion of the proleptic Gregorian calendar: an era is 400 years
// (146097 days) and the year is taken to start on March 1 so February's length comes last
std::int64_t days_from_civil(CivilDate date) {
  const std::int64_t y = date.year - (date.month <= 2 ? 1 : 0);
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t year_of_era = y - era * 400;
  const std::int64_t m = date.month;
  const std::int64_t day_of_year_from_march = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + date.day - 1;
  const std::int64_t day_of_era =
      year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year_from_march;
  return era * 146097 + day_of_era - 719468;
}

CivilDate civil_from_days(std::int64_t days) {
  const std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t day_of_era = z - era * 146097;
  const std::int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const std::int64_t day_of_year_from_march =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const std::int64_t mp = (5 * day_of_year_from_march + 2) / 153;
  const int day = static_cast<int>(day_of_year_from_march - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  const int year = static_cast<int>(year_of_era + era * 400 + (month <= 2 ? 1 : 0));
  return {year, month, day};
}

namespace {

bool is_leap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int days_in_month(int year, int month) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : kDays[month - 1];
}

// reads exactly n digits at pos; advances pos
std::optional<int> digits(std::string_view s, std::size_t& pos, std::size_t n) {
  if (pos + n > s.size()) return std::nullopt;
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    v = v * 10 + (c - '0');
  }
  pos += n;
  return v;
}

std::optional<std::int64_t> parse_date_at(std::string_view s, std::size_t& pos) {
  const auto y = digits(s, pos, 4);
  if (!y || pos >= s.size() || s[pos++] != '-') return std::nullopt;
  const auto m = digits(s, pos, 2);
  if (!m || pos >= s.size() || s[pos++] != '-') return std::nullopt;
  const auto d = digits(s, pos, 2);
  if (!d || *m < 1 || *m > 12 || *d < 1 || *d > days_in_month(*y, *m)) return std::nullopt;
  return days_from_civil({*y, *m, *d});
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<std::int64_t> parse_date(std::string_view text) {
  text = trim(text);
  std::size_t pos = 0;
  const auto day = parse_date_at(text, pos);
  if (!day || pos != text.size()) return std::nullopt;
  return day;
}

std::optional<Timestamp> parse_timestamp(std::string_view text) {
  text = trim(text);
  std::size_t pos = 0;
  const auto day = parse_date_at(text, pos);
  if (!day) return std::nullopt;
  if (pos == text.size()) return *day * kSecondsPerDay;
  if (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ') return std::nullopt;
  ++pos;
  const auto hh = digits(text, pos, 2);
  if (!hh || pos >= text.size() || text[pos++] != ':') return std::nullopt;
  const auto mm = digits(text, pos, 2);
  if (!mm) return std::nullopt;
  int ss = 0;
  if (pos < text.size() && text[pos] == ':') {
    ++pos;
    const auto s = digits(text, pos, 2);
    if (!s) return std::nullopt;
    ss = *s;
    if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
      ++pos;
      const std::size_t first = pos;
      while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) ++pos;
      if (pos == first) return std::nullopt;
    }
  }
  // 24:00 is not accepted: it names the next day's midnight and would hide a duplicate
  if (*hh > 23 || *mm > 59 || ss > 59) return std::nullopt;
  std::int64_t offset = 0;
  if (pos < text.size()) {
    const char sign = text[pos++];
    if (sign == 'Z' || sign == 'z') {
      if (pos != text.size()) return std::nullopt;
    } else if (sign == '+' || sign == '-') {
      const auto oh = digits(text, pos, 2);
      if (!oh) return std::nullopt;
      int om = 0;
      if (pos < text.size() && text[pos] == ':') ++pos;
      if (pos < text.size()) {
        const auto m = digits(text, pos, 2);
        if (!m) return std::nullopt;
        om = *m;
      }
      if (pos != text.size() || *oh > 23 || om > 59) return std::nullopt;
      offset = (sign == '+' ? 1 : -1) * (*oh * 3600 + om * 60);
    } else {
      return std::nullopt;
    }
  }
  return *day * kSecondsPerDay + *hh * 3600 + *mm * 60 + ss - offset;
}

std::string format_date(std::int64_t day) {
  const CivilDate c = civil_from_days(day);
  return fmt::format("{:04}-{:02}-{:02}", c.year, c.month, c.day);
}

std::string format_timestamp(Timestamp t) {
  const std::int64_t s = seconds_of_day(t);
  return fmt::format("{} {:02}:{:02}", format_date(day_of(t)), s / 3600, (s % 3600) / 60);
}

int day_of_week(std::int64_t day) {
  // 1970-01-01 was a Thursday (ISO index 3)
  const std::int64_t r = (day + 3) % 7;
  return static_cast<int>(r < 0 ? r + 7 : r);
}

int day_of_year(std::int64_t day) {
  const CivilDate c = civil_from_days(day);
  return static_cast<int>(day - days_from_civil({c.year, 1, 1}));
}

}  // namespace fedload::data
