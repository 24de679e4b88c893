#pragma once
// Cleaning of one load series, as in the business-environment paper, plus a residual variant
// for real load:
// - outliers among the observed values, by the absolute-value correction rule: a point c_j with
//   |c_j| > k · mean_i |c_i| is replaced by the mean of the points before and after it
//   (k = 4.5 in the paper). On a load series with a large level this rarely fires, so
//   - kSeasonalResidual applies the same rule to the residuals r_j = c_j − c_{j−P} against a
//     seasonal-naive baseline with period P = steps per day: with R = k · mean_j |r_j|, c_j is
//     an outlier when |c_j − c_{j−P}| > R and |c_j − c_{j+P}| > R (only the side that exists
//     on the first and last day), i.e. it disagrees with the same time one day before and one
//     day after; a level shift disagrees with one side only and is kept. Replaced by the mean
//     of its neighbours.
// - then missing values (NaN: missing cells and steps inserted into gaps) are replaced by the
//   mean of the series' values after outlier correction (mean imputation). This always runs,
//   whatever the outlier rule, because a model cannot train on a missing value; the count is
//   reported. Outliers go first so that a spike does not pull the imputed mean.
// Missing values take no part in the outlier rules (neither in the means nor as neighbours).
// A run of consecutive outliers is bridged by the nearest points on either side that are
// neither outliers nor missing (the corrected one on the left); at the ends the one neighbour
// there is used.
#include <cstddef>
#include <span>
#include <string>

namespace fedload::data {

enum class OutlierRule { kNone, kAbsolute, kSeasonalResidual };

// "none" | "absolute" | "seasonal_residual"; InputError otherwise
OutlierRule parse_outlier_rule(const std::string& name);
std::string to_string(OutlierRule rule);

struct CleaningOptions {
  OutlierRule rule = OutlierRule::kAbsolute;
  double k = 4.5;  // threshold factor, > 0
};

struct CleaningReport {
  OutlierRule rule = OutlierRule::kNone;
  double k = 0.0;
  std::size_t missing_imputed = 0;
  double imputation_value = 0.0;   // the mean used (NaN when nothing was missing)
  std::size_t outliers_replaced = 0;
  double outlier_threshold = 0.0;  // k · mean|c| or k · mean|r| (0 with no rule)

  // adds another slice's counts (a client owning several series)
  void merge(const CleaningReport& other);
};

// Every statistic (the imputation mean, mean|c|, mean|r|) is taken over values[0, fit_end) only
// (fit_end = the training span's end, so nothing of the validation or test span leaks into
// them; kAll: the whole series); the rules are then applied to the whole series.
inline constexpr std::size_t kAll = static_cast<std::size_t>(-1);

// returns the number of values replaced; `mean_out` gets the imputation value
std::size_t impute_missing_mean(std::span<double> values, double* mean_out = nullptr, std::size_t fit_end = kAll);
// return the number of values replaced; `threshold_out` gets the threshold used.
// Missing values (NaN) are skipped and left missing.
std::size_t correct_absolute_outliers(std::span<double> values, double k, double* threshold_out = nullptr,
                                      std::size_t fit_end = kAll);
std::size_t correct_seasonal_residual_outliers(std::span<double> values, std::size_t period, double k,
                                               double* threshold_out = nullptr, std::size_t fit_end = kAll);

// the outlier rule, then imputation; InputError when every value of values[0, fit_end) is
// missing or k <= 0
CleaningReport clean_series(std::span<double> values, std::size_t steps_per_day, const CleaningOptions& options,
                            std::size_t fit_end = kAll);

}  // namespace fedload::data
