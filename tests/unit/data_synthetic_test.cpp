#include <algorithm>
#include <cmath>
#include <numeric>

#include <gtest/gtest.h>

#include "data_temp_dir.hpp"
#include "fedload/core/error.hpp"
#include "fedload/data/synthetic.hpp"

namespace fedload::data {
namespace {

SyntheticOptions small(std::size_t series, std::size_t days, int minutes) {
  SyntheticOptions o;
  o.series = series;
  o.days = days;
  o.resolution_minutes = minutes;
  return o;
}

TEST(DataSynthetic, SameSeedSameLoadOtherSeedOtherLoad) {
  const auto cal = HolidayCalendar::builtin_fixed_dates();
  const LoadTable a = generate_synthetic(small(3, 20, 30), 42, cal);
  const LoadTable b = generate_synthetic(small(3, 20, 30), 42, cal);
  const LoadTable c = generate_synthetic(small(3, 20, 30), 43, cal);
  EXPECT_EQ(a.values, b.values);
  EXPECT_NE(a.values[0], c.values[0]);
}

TEST(DataSynthetic, ASeriesDoesNotDependOnHowManyAreGenerated) {
  const auto cal = HolidayCalendar::builtin_fixed_dates();
  const LoadTable few = generate_synthetic(small(2, 10, 60), 5, cal);
  const LoadTable many = generate_synthetic(small(9, 10, 60), 5, cal);
  EXPECT_EQ(few.values[1], many.values[1]);
}

TEST(DataSynthetic, LoadsAreStrictlyPositiveAndClientsDiffer) {
  for (const int minutes : {15, 30, 60}) {
    const LoadTable t = generate_synthetic(small(6, 60, minutes), 11, HolidayCalendar::builtin_fixed_dates());
    ASSERT_EQ(t.steps(), 60u * 1440u / static_cast<unsigned>(minutes));
    std::vector<double> means;
    for (const auto& col : t.values) {
      EXPECT_GT(*std::min_element(col.begin(), col.end()), 0.0);
      means.push_back(std::accumulate(col.begin(), col.end(), 0.0) / static_cast<double>(col.size()));
    }
    // per-client scale: the largest mean client is well above the smallest (non-IID)
    EXPECT_GT(*std::max_element(means.begin(), means.end()), 2.0 * *std::min_element(means.begin(), means.end()));
  }
}

TEST(DataSynthetic, HasADailyCycle) {
  const LoadTable t = generate_synthetic(small(1, 60, 60), 3, HolidayCalendar::builtin_fixed_dates());
  const auto& v = t.values[0];
  // the same hour a day later is closer than the hour twelve hours later, on average
  double lag_day = 0, lag_half = 0;
  for (std::size_t i = 24; i < v.size(); ++i) {
    lag_day += std::fabs(v[i] - v[i - 24]);
    lag_half += std::fabs(v[i] - v[i - 12]);
  }
  EXPECT_LT(lag_day, 0.6 * lag_half);
}

TEST(DataSynthetic, HolidaysOfTheCalendarLowerTheLoadOnThoseDaysOnly) {
  fedload::data::testing::TempDir dir;
  // a calendar with one unrelated date: 2023-01-01 is then a plain Sunday
  const auto other = HolidayCalendar::from_file(dir.write("h.csv", "date\n2023-03-15\n"));
  SyntheticOptions o = small(4, 10, 60);
  o.start_date = "2022-12-30";
  const LoadTable with = generate_synthetic(o, 8, HolidayCalendar::builtin_fixed_dates());
  const LoadTable without = generate_synthetic(o, 8, other);
  for (std::size_t s = 0; s < o.series; ++s)
    for (std::size_t t = 0; t < with.steps(); ++t) {
      const std::size_t day = t / 24;  // day 2 is 2023-01-01
      if (day == 2) {
        EXPECT_LE(with.values[s][t], without.values[s][t]) << "series " << s << " step " << t;
      } else {
        EXPECT_EQ(with.values[s][t], without.values[s][t]) << "series " << s << " step " << t;
      }
    }
}

TEST(DataSynthetic, BadOptionsAreInputErrors) {
  const auto cal = HolidayCalendar::builtin_fixed_dates();
  EXPECT_THROW(generate_synthetic(small(1, 5, 20), 1, cal), InputError);
  EXPECT_THROW(generate_synthetic(small(0, 5, 60), 1, cal), InputError);
  EXPECT_THROW(generate_synthetic(small(1, 0, 60), 1, cal), InputError);
}

}  // namespace
}  // namespace fedload::data
