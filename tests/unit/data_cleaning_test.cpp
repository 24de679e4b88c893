#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

#include <gtest/gtest.h>

#include "fedload/core/error.hpp"
#include "fedload/data/cleaning.hpp"

namespace fedload::data {
namespace {

constexpr std::size_t kPeriod = 24;

// a daily cycle around 100 with an amplitude of 30: no point passes 4.5 · mean|c|
std::vector<double> daily_cycle(std::size_t days) {
  std::vector<double> v(days * kPeriod);
  for (std::size_t t = 0; t < v.size(); ++t)
    v[t] = 100.0 + 30.0 * std::sin(2.0 * std::numbers::pi * static_cast<double>(t % kPeriod) / kPeriod);
  return v;
}

TEST(DataCleaning, AbsoluteRuleReplacesAPlantedSpikeByItsNeighboursMean) {
  std::vector<double> v = daily_cycle(10);
  const std::vector<double> clean = v;
  v[50] = 5000.0;
  double threshold = 0;
  EXPECT_EQ(correct_absolute_outliers(v, 4.5, &threshold), 1u);
  EXPECT_GT(threshold, 450.0);
  EXPECT_DOUBLE_EQ(v[50], 0.5 * (clean[49] + clean[51]));
  for (std::size_t t = 0; t < v.size(); ++t) {
    if (t != 50) {
      EXPECT_EQ(v[t], clean[t]) << "step " << t;
    }
  }
}

TEST(DataCleaning, AbsoluteRuleBridgesARunOfOutliers) {
  std::vector<double> v = daily_cycle(10);
  const std::vector<double> clean = v;
  v[60] = v[61] = 9000.0;
  EXPECT_EQ(correct_absolute_outliers(v, 4.5), 2u);
  EXPECT_DOUBLE_EQ(v[60], 0.5 * (clean[59] + clean[62]));
  EXPECT_DOUBLE_EQ(v[61], 0.5 * (v[60] + clean[62]));
}

TEST(DataCleaning, AbsoluteRuleMissesAModerateSpikeTheResidualRuleFinds) {
  // 250 against a level of 100: far from the usual daily change, under 4.5 · mean|c|
  std::vector<double> v = daily_cycle(14);
  const std::vector<double> clean = v;
  v[5 * kPeriod + 6] = 250.0;
  std::vector<double> absolute = v;
  EXPECT_EQ(correct_absolute_outliers(absolute, 4.5), 0u);
  // a little noise so residuals are not all zero
  for (std::size_t t = 0; t < v.size(); ++t) v[t] += (t % 7) * 0.5;
  EXPECT_EQ(correct_seasonal_residual_outliers(v, kPeriod, 4.5), 1u);
  EXPECT_NEAR(v[5 * kPeriod + 6], clean[5 * kPeriod + 6], 5.0);
}

TEST(DataCleaning, ResidualRuleKeepsALevelShift) {
  std::vector<double> v = daily_cycle(14);
  for (std::size_t t = 0; t < v.size(); ++t) v[t] += (t % 5) * 0.7 + (t >= 7 * kPeriod ? 60.0 : 0.0);
  const std::vector<double> before = v;
  EXPECT_EQ(correct_seasonal_residual_outliers(v, kPeriod, 4.5), 0u);
  EXPECT_EQ(v, before);
}

TEST(DataCleaning, MissingValuesAreImputedByTheMeanAndCounted) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> v = {1.0, nan, 3.0, nan, 8.0};
  const CleaningReport report = clean_series(v, 2, {OutlierRule::kNone, 4.5});
  EXPECT_EQ(report.missing_imputed, 2u);
  EXPECT_DOUBLE_EQ(report.imputation_value, 4.0);
  EXPECT_EQ(v, (std::vector<double>{1.0, 4.0, 3.0, 4.0, 8.0}));
  EXPECT_EQ(report.outliers_replaced, 0u);
}

TEST(DataCleaning, OutliersGoFirstSoTheyDoNotPullTheImputedMean) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> v(40, 10.0);
  v[20] = 1e6;  // next to a missing value: bridged by the nearest observed points
  v[21] = nan;
  v[30] = nan;
  const CleaningReport report = clean_series(v, 4, {OutlierRule::kAbsolute, 4.5});
  EXPECT_EQ(report.outliers_replaced, 1u);
  EXPECT_EQ(report.missing_imputed, 2u);
  EXPECT_DOUBLE_EQ(v[20], 10.0);
  EXPECT_DOUBLE_EQ(report.imputation_value, 10.0);
  EXPECT_DOUBLE_EQ(v[21], 10.0);
}

TEST(DataCleaning, OptionsAreValidated) {
  std::vector<double> v = {1.0, 2.0};
  EXPECT_THROW(clean_series(v, 1, {OutlierRule::kAbsolute, 0.0}), InputError);
  EXPECT_THROW(parse_outlier_rule("zscore"), InputError);
  EXPECT_EQ(parse_outlier_rule("seasonal_residual"), OutlierRule::kSeasonalResidual);
}

TEST(DataCleaning, StatisticsComeFromTheTrainingSpanOnly) {
  // 8 days of training data around 100, then 2 "test" days at 10x the level with one value
  // missing: the imputation mean and the outlier threshold must not see the test days
  std::vector<double> v = daily_cycle(10);
  const std::size_t fit_end = 8 * kPeriod;
  for (std::size_t t = fit_end; t < v.size(); ++t) v[t] *= 10.0;
  v[fit_end + 5] = std::numeric_limits<double>::quiet_NaN();
  double train_mean = 0.0;
  for (std::size_t t = 0; t < fit_end; ++t) train_mean += v[t];
  train_mean /= static_cast<double>(fit_end);

  std::vector<double> fitted = v;
  const CleaningReport r = clean_series(fitted, kPeriod, {OutlierRule::kNone, 4.5}, fit_end);
  EXPECT_EQ(r.missing_imputed, 1u);
  EXPECT_NEAR(r.imputation_value, train_mean, 1e-9);
  EXPECT_NEAR(fitted[fit_end + 5], train_mean, 1e-9);

  // the absolute rule's threshold is 4.5 x mean|c| of the training span: the 10x test days
  // exceed it (over the whole series it is about 12.6 x 100, and only the test days' peaks pass it)
  std::vector<double> abs_fit = v, abs_all = v;
  double t_fit = 0.0, t_all = 0.0;
  const std::size_t n_fit = correct_absolute_outliers(abs_fit, 4.5, &t_fit, fit_end);
  const std::size_t n_all = correct_absolute_outliers(abs_all, 4.5, &t_all);
  EXPECT_NEAR(t_fit, 4.5 * train_mean, 1e-6);
  EXPECT_GT(t_all, t_fit);
  EXPECT_GT(n_fit, n_all);
}

}  // namespace
}  // namespace fedload::data

