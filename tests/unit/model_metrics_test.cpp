// ForecastSums: metrics pooled from the sums of many chunks (clients on ranks) must be those of
// one array holding every value, also for loads with a large mean and little variation.
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include <gtest/gtest.h>

#include "fedload/core/error.hpp"
#include "fedload/core/rng.hpp"
#include "fedload/model/metrics.hpp"

namespace fedload::test {
namespace {

using model::ForecastMetrics;
using model::ForecastSums;

struct Pairs {
  std::vector<float> y, yhat;
};

// load `level` ± `swing` with a daily shape and noise, forecasts off by about `error`
Pairs load_like(std::size_t n, double level, double swing, double error, std::uint64_t seed) {
  CounterRng rng(seed, 0);
  Pairs p;
  for (std::size_t k = 0; k < n; ++k) {
    const double y = level + swing * std::sin(2.0 * 3.14159265358979 * static_cast<double>(k % 24) / 24.0) + 0.3 * swing * rng.normal();
    p.y.push_back(static_cast<float>(y));
    p.yhat.push_back(static_cast<float>(y + error * rng.normal()));
  }
  return p;
}

// sums of [begin, end) chunks given by `cuts`, merged in chunk order
ForecastSums chunked(const Pairs& p, const std::vector<std::size_t>& cuts) {
  ForecastSums total;
  for (std::size_t c = 0; c + 1 < cuts.size(); ++c) {
    ForecastSums part;
    part.add(p.y.data() + cuts[c], p.yhat.data() + cuts[c], cuts[c + 1] - cuts[c]);
    total.merge(part);
  }
  return total;
}

void expect_close(const ForecastMetrics& got, const ForecastMetrics& ref, double rtol) {
  const auto near = [&](double g, double r, const char* what) {
    EXPECT_LE(std::abs(g - r), 1e-300 + rtol * std::abs(r)) << what << ": pooled " << g << " vs one array " << r
                                                             << " (relative " << std::abs(g - r) / std::abs(r) << ")";
  };
  near(got.mape, ref.mape, "MAPE");
  near(got.rmse, ref.rmse, "RMSE");
  near(got.mae, ref.mae, "MAE");
  near(got.r2, ref.r2, "R2");
}

TEST(ForecastSums, FourChunksPoolToTheMetricsOfOneArray) {
  // unequal chunks, one of a single value
  const Pairs p = load_like(2000, 300.0, 80.0, 20.0, 1);
  const ForecastSums s = chunked(p, {0, 137, 138, 1200, 2000});
  EXPECT_EQ(s.n, 2000u);
  expect_close(s.metrics(), model::forecast_metrics(p.y.data(), p.yhat.data(), p.y.size()), 1e-9);
}

TEST(ForecastSums, LargeMeanSmallVariationKeepsR2) {
  // a feeder at 10,000 kW swinging by 10: SS_tot is a tiny difference of huge sums
  const Pairs p = load_like(4000, 10000.0, 10.0, 4.0, 2);
  const ForecastMetrics ref = model::forecast_metrics(p.y.data(), p.yhat.data(), p.y.size());
  ASSERT_GT(ref.r2, 0.3);
  ASSERT_LT(ref.r2, 0.99);
  expect_close(chunked(p, {0, 1000, 1999, 3001, 4000}).metrics(), ref, 1e-9);

  // the data are hard enough: R² from Σy and Σy² is off by 5e-9 relative here (pooled: 6e-16)
  double sum_y = 0, sum_y2 = 0, sq_err = 0;
  for (std::size_t k = 0; k < p.y.size(); ++k) {
    sum_y += p.y[k];
    sum_y2 += static_cast<double>(p.y[k]) * p.y[k];
    const double e = static_cast<double>(p.y[k]) - p.yhat[k];
    sq_err += e * e;
  }
  const double n = static_cast<double>(p.y.size());
  const double naive_r2 = 1.0 - sq_err / (sum_y2 - sum_y * sum_y / n);
  EXPECT_GT(std::abs(naive_r2 - ref.r2), 1e-9 * std::abs(ref.r2)) << "naive " << naive_r2 << " vs " << ref.r2;
}

TEST(ForecastSums, ZeroActualsAreLeftOutOfMapeOnly) {
  // the hand-computed case of forecast_metrics, one pair per chunk
  const std::vector<float> y = {2, 4, 0, 8}, yhat = {1, 5, 1, 8};
  ForecastSums s;
  for (std::size_t k = 0; k < 4; ++k) {
    ForecastSums one;
    one.add(&y[k], &yhat[k], 1);
    s.merge(one);
  }
  EXPECT_EQ(s.n, 4u);
  EXPECT_EQ(s.n_nonzero, 3u);
  const ForecastMetrics m = s.metrics();
  EXPECT_NEAR(m.mape, 100.0 * (0.5 + 0.25 + 0.0) / 3, 1e-12);
  EXPECT_NEAR(m.mae, 3.0 / 4, 1e-12);
  EXPECT_NEAR(m.rmse, std::sqrt(3.0 / 4), 1e-12);
  EXPECT_NEAR(m.r2, 1.0 - 3.0 / 35.0, 1e-12);  // SS_tot = 35 about the mean 3.5
}

TEST(ForecastSums, PairsWithoutAForecastAreSkipped) {
  Pairs p = load_like(500, 120.0, 30.0, 6.0, 3);
  Pairs kept;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (std::size_t k = 0; k < p.y.size(); ++k) {
    if (k % 7 == 3) {
      p.yhat[k] = nan;  // e.g. seasonal-naive with no history a season back
    } else {
      kept.y.push_back(p.y[k]);
      kept.yhat.push_back(p.yhat[k]);
    }
  }
  const ForecastSums s = chunked(p, {0, 100, 101, 350, 500});
  EXPECT_EQ(s.n, kept.y.size());
  expect_close(s.metrics(), model::forecast_metrics(kept.y.data(), kept.yhat.data(), kept.y.size()), 1e-12);
}

TEST(ForecastSums, FixedMergeOrderGivesTheSameBits) {
  const Pairs p = load_like(3000, 10000.0, 10.0, 4.0, 4);
  const std::vector<std::size_t> cuts = {0, 500, 1700, 2100, 3000};
  const ForecastSums a = chunked(p, cuts), b = chunked(p, cuts);
  EXPECT_EQ(std::memcmp(&a, &b, sizeof a), 0);
  const ForecastMetrics ma = a.metrics(), mb = b.metrics();
  EXPECT_EQ(std::memcmp(&ma, &mb, sizeof ma), 0);
  // another order (as if rank 1's clients arrived first) agrees to rounding
  ForecastSums parts[4], reversed;
  for (std::size_t c = 0; c < 4; ++c) parts[c].add(p.y.data() + cuts[c], p.yhat.data() + cuts[c], cuts[c + 1] - cuts[c]);
  for (std::size_t c = 4; c-- > 0;) reversed.merge(parts[c]);
  expect_close(reversed.metrics(), ma, 1e-12);
  // merging nothing changes nothing
  ForecastSums same = a;
  same.merge(ForecastSums{});
  EXPECT_EQ(std::memcmp(&same, &a, sizeof a), 0);
}

TEST(ForecastSums, NoValuesOrOnlyZeroActualsAreInputErrors) {
  EXPECT_THROW(ForecastSums{}.metrics(), InputError);
  const std::vector<float> zeros = {0, 0}, nans = {std::nanf(""), std::nanf("")}, ones = {1, 1};
  ForecastSums s;
  s.add(zeros.data(), ones.data(), 2);
  EXPECT_THROW(s.metrics(), InputError);
  ForecastSums none;
  none.add(ones.data(), nans.data(), 2);  // no forecast at all
  EXPECT_EQ(none.n, 0u);
  EXPECT_THROW(none.metrics(), InputError);
}

}  // namespace
}  // namespace fedload::test
