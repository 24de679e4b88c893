#include <gtest/gtest.h>

#include "fedload/data/time.hpp"

namespace fedload::data {
namespace {

TEST(DataTime, ParsesIsoDateTimesInTheirCommonSpellings) {
  const Timestamp expected = days_from_civil({2016, 7, 1}) * kSecondsPerDay + 13 * 3600 + 15 * 60;
  EXPECT_EQ(parse_timestamp("2016-07-01 13:15:00"), expected);
  EXPECT_EQ(parse_timestamp("2016-07-01T13:15"), expected);
  EXPECT_EQ(parse_timestamp("2016-07-01T13:15:00.000Z"), expected);
  EXPECT_EQ(parse_timestamp("2016-07-01T14:15:00+01:00"), expected);
  EXPECT_EQ(parse_timestamp("2016-07-01"), days_from_civil({2016, 7, 1}) * kSecondsPerDay);
}

TEST(DataTime, RejectsImpossibleDatesAndTimes) {
  EXPECT_FALSE(parse_timestamp("2017-02-29 00:00"));  // not a leap year
  EXPECT_TRUE(parse_timestamp("2016-02-29 00:00"));
  EXPECT_FALSE(parse_timestamp("2016-13-01 00:00"));
  EXPECT_FALSE(parse_timestamp("2016-07-01 24:00"));
  EXPECT_FALSE(parse_timestamp("01/07/2016 10:00"));
  EXPECT_FALSE(parse_timestamp("2016-07-01 10:00 extra"));
}

TEST(DataTime, CivilDaysRoundTripAndWeekdays) {
  for (std::int64_t day = -800; day < 30000; day += 37) {
    const CivilDate c = civil_from_days(day);
    EXPECT_EQ(days_from_civil(c), day);
  }
  EXPECT_EQ(day_of_week(days_from_civil({2016, 7, 1})), 4);  // a Friday
  EXPECT_EQ(day_of_week(days_from_civil({2024, 1, 1})), 0);  // a Monday
  EXPECT_EQ(format_timestamp(*parse_timestamp("2018-06-26 19:00:00")), "2018-06-26 19:00");
}

}  // namespace
}  // namespace fedload::data
