#pragma once
// Civil time for load series: timestamps are seconds since 1970-01-01 00:00 on a proleptic
// Gregorian calendar with no time zone and no daylight saving. A timestamp written with a UTC
// offset ("+01:00", "Z") is converted to UTC; one written without is taken as it stands, so a
// file in local time keeps its local hours (which is what hour-of-day features want).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fedload::data {

using Timestamp = std::int64_t;  // seconds since 1970-01-01 00:00
inline constexpr std::int64_t kSecondsPerDay = 86400;

struct CivilDate {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
};

// day number (days since 1970-01-01) of a civil date and back
std::int64_t days_from_civil(CivilDate date);
CivilDate civil_from_days(std::int64_t days);

// ISO 8601 date-time: YYYY-MM-DD, then 'T' or ' ', HH:MM, optional :SS and fraction (dropped),
// optional 'Z' or +HH:MM / +HHMM / +HH. A bare date YYYY-MM-DD is midnight. nullopt when the
// text is not such a date-time or names an impossible date or time.
std::optional<Timestamp> parse_timestamp(std::string_view text);
// YYYY-MM-DD only; returns the day number.
std::optional<std::int64_t> parse_date(std::string_view text);

std::string format_timestamp(Timestamp t);  // "YYYY-MM-DD HH:MM"
std::string format_date(std::int64_t day);  // "YYYY-MM-DD"

// floor division so times before 1970 land on the right day
inline std::int64_t day_of(Timestamp t) {
  return t >= 0 ? t / kSecondsPerDay : -((-t + kSecondsPerDay - 1) / kSecondsPerDay);
}
inline std::int64_t seconds_of_day(Timestamp t) { return t - day_of(t) * kSecondsPerDay; }
// 0 = Monday ... 6 = Sunday (ISO 8601)
int day_of_week(std::int64_t day);
int day_of_year(std::int64_t day);  // 0 = January 1

}  // namespace fedload::data
