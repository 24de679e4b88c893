#include "fedload/data/cleaning.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "fedload/core/error.hpp"

namespace fedload::data {

OutlierRule parse_outlier_rule(const std::string& name) {
  if (name == "none") return OutlierRule::kNone;
  if (name == "absolute") return OutlierRule::kAbsolute;
  if (name == "seasonal_residual") return OutlierRule::kSeasonalResidual;
  throw_input_error("cleaning = '{}': expected \"none\", \"absolute\" or \"seasonal_residual\"", name);
}

std::string to_string(OutlierRule rule) {
  switch (rule) {
    case OutlierRule::kNone: return "none";
    case OutlierRule::kAbsolute: return "absolute";
    case OutlierRule::kSeasonalResidual: return "seasonal_residual";
  }
  return "?";
}

void CleaningReport::merge(const CleaningReport& other) {
  missing_imputed += other.missing_imputed;
  outliers_replaced += other.outliers_replaced;
}

std::size_t impute_missing_mean(std::span<double> values, double* mean_out, std::size_t fit_end) {
  double sum = 0.0;
  std::size_t observed = 0;
  for (const double v : values.first(std::min(fit_end, values.size())))
    if (!std::isnan(v)) {
      sum += v;
      ++observed;
    }
  const double mean = observed > 0 ? sum / static_cast<double>(observed) : std::numeric_limits<double>::quiet_NaN();
  if (mean_out) *mean_out = mean;
  std::size_t replaced = 0;
  for (double& v : values)
    if (std::isnan(v)) {
      v = mean;
      ++replaced;
    }
  return replaced;
}

namespace {

// replaces every flagged point by the mean of its nearest neighbours that are neither flagged
// nor missing; points are corrected left to right so a run is bridged by the corrected value
// on its left
std::size_t replace_flagged(std::span<double> values, const std::vector<bool>& flagged) {
  const std::size_t n = values.size();
  std::size_t replaced = 0;
  for (std::size_t j = 0; j < n; ++j) {
    if (!flagged[j]) continue;
    std::size_t left = j;
    while (left > 0 && std::isnan(values[left - 1])) --left;
    std::size_t right = j + 1;
    while (right < n && (flagged[right] || std::isnan(values[right]))) ++right;
    const bool has_left = left > 0, has_right = right < n;
    if (has_left && has_right) {
      values[j] = 0.5 * (values[left - 1] + values[right]);
    } else if (has_left) {
      values[j] = values[left - 1];
    } else if (has_right) {
      values[j] = values[right];
    } else {
      continue;  // nothing to stand in
    }
    ++replaced;
  }
  return replaced;
}

// mean of |x| over the values that are not missing
double mean_abs(std::span<const double> v) {
  double s = 0.0;
  std::size_t n = 0;
  for (const double x : v)
    if (!std::isnan(x)) {
      s += std::fabs(x);
      ++n;
    }
  return n == 0 ? 0.0 : s / static_cast<double>(n);
}

}  // namespace

std::size_t correct_absolute_outliers(std::span<double> values, double k, double* threshold_out,
                                      std::size_t fit_end) {
  const double threshold = k * mean_abs(values.first(std::min(fit_end, values.size())));
  if (threshold_out) *threshold_out = threshold;
  std::vector<bool> flagged(values.size());
  for (std::size_t j = 0; j < values.size(); ++j) flagged[j] = std::fabs(values[j]) > threshold;  // false for NaN
  return replace_flagged(values, flagged);
}

std::size_t correct_seasonal_residual_outliers(std::span<double> values, std::size_t period, double k,
                                               double* threshold_out, std::size_t fit_end) {
  const std::size_t n = values.size();
  if (period == 0 || n <= period) {
    if (threshold_out) *threshold_out = 0.0;
    return 0;  // no baseline: less than one period of data
  }
  // residuals whose both ends lie in the fitting span (all of them when it is shorter than a period)
  const std::size_t fit = std::min(fit_end, n) > period ? std::min(fit_end, n) : n;
  std::vector<double> residual(fit - period);
  for (std::size_t j = period; j < fit; ++j) residual[j - period] = values[j] - values[j - period];  // NaN if either is
  const double threshold = k * mean_abs(residual);
  if (threshold_out) *threshold_out = threshold;
  // a spike differs from the same step one period before AND one period after; a level shift
  // differs from one side only, so it is kept (judging against one side alone would flag the
  // day after every shift, and the day after that against the corrected day, and so on).
  // A side that does not exist (first or last period) or is missing gives no evidence either
  // way: the other side decides; with neither, the point is kept.
  std::vector<bool> flagged(n);
  for (std::size_t j = 0; j < n; ++j) {
    if (std::isnan(values[j])) continue;
    const bool has_before = j >= period && !std::isnan(values[j - period]);
    const bool has_after = j + period < n && !std::isnan(values[j + period]);
    if (!has_before && !has_after) continue;
    const bool before = !has_before || std::fabs(values[j] - values[j - period]) > threshold;
    const bool after = !has_after || std::fabs(values[j] - values[j + period]) > threshold;
    flagged[j] = before && after;
  }
  return replace_flagged(values, flagged);
}

CleaningReport clean_series(std::span<double> values, std::size_t steps_per_day, const CleaningOptions& options,
                            std::size_t fit_end) {
  if (!(options.k > 0.0)) throw_input_error("cleaning k = {}: must be > 0", options.k);
  CleaningReport report;
  report.rule = options.rule;
  report.k = options.k;
  const auto fitted = values.first(std::min(fit_end, values.size()));
  if (!values.empty() && std::all_of(fitted.begin(), fitted.end(), [](double v) { return std::isnan(v); }))
    throw_input_error("every value of the series{} is missing; nothing to impute from",
                      fit_end < values.size() ? "'s training span" : "");
  // outliers first, so the imputation mean is not pulled by them
  switch (options.rule) {
    case OutlierRule::kNone: break;
    case OutlierRule::kAbsolute:
      report.outliers_replaced = correct_absolute_outliers(values, options.k, &report.outlier_threshold, fit_end);
      break;
    case OutlierRule::kSeasonalResidual:
      report.outliers_replaced =
          correct_seasonal_residual_outliers(values, steps_per_day, options.k, &report.outlier_threshold, fit_end);
      break;
  }
  report.missing_imputed = impute_missing_mean(values, &report.imputation_value, fit_end);
  if (report.missing_imputed == 0) report.imputation_value = std::numeric_limits<double>::quiet_NaN();
  return report;
}

}  // namespace fedload::data
