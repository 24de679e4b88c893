#include <vector>

#include <gtest/gtest.h>

#include "fedload/core/error.hpp"
#include "fedload/data/features.hpp"
#include "fedload/data/split.hpp"
#include "fedload/data/windows.hpp"

namespace fedload::data {
namespace {

// a feature series whose load feature is the step index, so every window says where it came from
struct IndexSeries {
  std::vector<float> features;
  FeatureSeries series;
  IndexSeries(std::size_t steps, Timestamp start, std::int64_t res) : features(steps * 2) {
    for (std::size_t t = 0; t < steps; ++t) {
      features[2 * t] = static_cast<float>(t);
      features[2 * t + 1] = -1.0f;
    }
    series = FeatureSeries{features, 2, start, res};
  }
};

const Timestamp kStart = *parse_timestamp("2020-03-01 00:00");

TEST(DataWindows, CountsAndAlignmentOfFirstAndLastWindow) {
  IndexSeries s(100, kStart, 3600);
  WindowSet w;
  append_windows(w, s.series, 0, 100, {24, 12, 5});
  // origins 24, 29, ..., last t with t + 12 <= 100 -> 84
  ASSERT_EQ(w.size(), (84u - 24u) / 5u + 1u);
  EXPECT_EQ(w.x.size(), w.size() * 24 * 2);
  EXPECT_EQ(w.y.size(), w.size() * 12);
  EXPECT_EQ(w.origin.front(), kStart + 24 * 3600);
  EXPECT_EQ(w.origin.back(), kStart + 84 * 3600);
  // first window: lookback steps 0..23, targets 24..35; load is the first feature of each step
  EXPECT_EQ(w.x[0], 0.0f);
  EXPECT_EQ(w.x[1], -1.0f);
  EXPECT_EQ(w.x[23 * 2], 23.0f);
  EXPECT_EQ(w.y[0], 24.0f);
  EXPECT_EQ(w.y[11], 35.0f);
  // last window
  const std::size_t n = w.size() - 1;
  EXPECT_EQ(w.x[n * 48], 60.0f);
  EXPECT_EQ(w.y[n * 12 + 11], 95.0f);
}

TEST(DataWindows, LookbackMayReachBeforeTheSpanTargetsMayNotLeaveIt) {
  IndexSeries s(200, kStart, 3600);
  WindowSet w;
  append_windows(w, s.series, 150, 190, {48, 24, 1});
  ASSERT_EQ(w.size(), 17u);  // origins 150..166
  EXPECT_EQ(w.x[0], 102.0f);
  EXPECT_EQ(w.y.back(), 189.0f);
}

TEST(DataWindows, MidnightWindowsStartAtEachMidnightWithADayAhead) {
  // 30-minute steps starting at 13:00: the first midnight is step 22
  const Timestamp start = *parse_timestamp("2020-03-01 13:00");
  IndexSeries s(22 + 48 * 5, start, 1800);
  WindowSet w;
  append_midnight_windows(w, s.series, 0, 22 + 48 * 5, {48, 48, 1});
  // midnights at steps 22, 70, 118, 166, 214: 22 has too little lookback, 214 + 48 = 262 just fits
  ASSERT_EQ(w.size(), 4u);
  EXPECT_EQ(w.origin.front(), *parse_timestamp("2020-03-03 00:00"));
  EXPECT_EQ(w.origin.back(), *parse_timestamp("2020-03-06 00:00"));
  EXPECT_EQ(w.y[0], 70.0f);
}

TEST(DataWindows, BadWindowOptionsAreInputErrors) {
  IndexSeries s(10, kStart, 3600);
  WindowSet w;
  EXPECT_THROW(append_windows(w, s.series, 0, 10, {0, 1, 1}), InputError);
  EXPECT_THROW(append_windows(w, s.series, 0, 10, {1, 1, 0}), InputError);
}

TEST(DataFeatures, NormalizerIsFittedOnTheGivenSpanAndInverts) {
  const std::vector<double> train = {10, 20, 30};
  const Normalizer n = Normalizer::fit(train);
  EXPECT_DOUBLE_EQ(n.normalize(10), 0.0);
  EXPECT_DOUBLE_EQ(n.normalize(30), 1.0);
  EXPECT_DOUBLE_EQ(n.normalize(40), 1.5);  // a later value outside the training range stays outside
  EXPECT_DOUBLE_EQ(n.denormalize(n.normalize(17.5)), 17.5);
  EXPECT_THROW(Normalizer::fit(std::vector<double>{}), InputError);
}

TEST(DataFeatures, CalendarFeaturesAtFifteenMinutes) {
  const std::vector<double> load(96 * 2, 5.0);
  const Timestamp start = *parse_timestamp("2023-12-31 00:00");  // a Sunday, then a holiday Monday
  const auto f = make_features(load, start, 900, Normalizer{0.0, 10.0}, HolidayCalendar::builtin_fixed_dates());
  ASSERT_EQ(f.size(), load.size() * kFeatureCount);
  EXPECT_FLOAT_EQ(f[0], 0.5f);
  EXPECT_FLOAT_EQ(f[48 * kFeatureCount + 1], 0.5f);  // noon
  EXPECT_FLOAT_EQ(f[4], 0.0f);                       // Dec 31
  EXPECT_FLOAT_EQ(f[96 * kFeatureCount + 4], 1.0f);  // Jan 1
  EXPECT_FLOAT_EQ(f[96 * kFeatureCount + 2], 0.0f);  // Monday: sin 0
  EXPECT_FLOAT_EQ(f[96 * kFeatureCount + 3], 1.0f);
}

TEST(DataSplit, LastDaysStartAtMidnightAndValidationPrecedesTest) {
  // hourly from 2020-03-01 05:00, 20 days and 7 hours
  const Timestamp start = *parse_timestamp("2020-03-01 05:00");
  const SplitSpans s = split_by_time(0, 20 * 24 + 7, start, 3600, {3, 2, ""}, "test");
  EXPECT_EQ(format_timestamp(start + static_cast<Timestamp>(s.test_begin) * 3600), "2020-03-18 00:00");
  EXPECT_GE(s.test_steps(), 3u * 24u);
  EXPECT_EQ(s.val_steps(), 48u);
  const SplitSpans d = split_by_time(0, 20 * 24 + 7, start, 3600, {3, 0, "2020-03-10"}, "test");
  EXPECT_EQ(format_timestamp(start + static_cast<Timestamp>(d.test_begin) * 3600), "2020-03-10 00:00");
  EXPECT_EQ(d.val_begin, d.test_begin);
  EXPECT_THROW(split_by_time(0, 100, start, 3600, {3, 0, "2021-01-01"}, "test"), InputError);
  EXPECT_THROW(split_by_time(0, 100, start, 3600, {5, 0, ""}, "test"), InputError);
}

}  // namespace
}  // namespace fedload::data
