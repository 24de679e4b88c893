// The hybrid model's channels (data/hybrid_features.hpp) on hand-made series: week statistics,
// cosine similarity to known centroids, time indices of the next step; K-means deterministic
// from its seed and finding obvious clusters; and no leakage: the test span's load changes
// neither the centroids nor any training window.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "fedload/core/error.hpp"
#include "fedload/core/rng.hpp"
#include "fedload/data/dataset.hpp"
#include "fedload/data/hybrid_features.hpp"

namespace fedload::data {
namespace {

// a daily resolution keeps a week at 7 steps
constexpr std::int64_t kDay = 86400;

TEST(HybridFeatures, WeekStatisticsSimilaritiesAndTimeIndicesOfTheNextStep) {
  // 2023-01-01 is a Sunday; loads 1..10 normalized by [0, 10]
  const Timestamp start = *parse_timestamp("2023-01-01");
  std::vector<double> load(10);
  for (std::size_t t = 0; t < load.size(); ++t) load[t] = static_cast<double>(t + 1);
  const Normalizer n{0.0, 10.0};
  const std::vector<std::vector<double>> centroids = {std::vector<double>(7, 1.0),
                                                      {1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0}};
  const HolidayCalendar holidays = HolidayCalendar::from_option("");
  const auto f = make_hybrid_features(load, start, kDay, n, holidays, centroids, 7);
  const std::size_t C = hybrid_channel_count(2);
  ASSERT_EQ(C, 3u + 2u + 4u);
  ASSERT_EQ(f.size(), 10 * C);
  // row 8: the week of steps 2..8 (loads 3..9) -> max 0.9, min 0.3, mean 0.6
  const float* r = f.data() + 8 * C;
  EXPECT_FLOAT_EQ(r[0], 0.9f);
  EXPECT_FLOAT_EQ(r[1], 0.3f);
  EXPECT_FLOAT_EQ(r[2], 0.6f);
  // cosine with all-ones: sum / (sqrt(7) |w|); with e_0: w_0 / |w|
  double sum = 0, sq = 0;
  for (int v = 3; v <= 9; ++v) {
    sum += v / 10.0;
    sq += (v / 10.0) * (v / 10.0);
  }
  EXPECT_NEAR(r[3], sum / (std::sqrt(7.0) * std::sqrt(sq)), 1e-6);
  EXPECT_NEAR(r[4], 0.3 / std::sqrt(sq), 1e-6);
  // the forecast after step 8 is for 2023-01-10, a Tuesday (1) in January (0), hour 0
  EXPECT_EQ(r[5], 0.0f);
  EXPECT_EQ(r[6], 1.0f);
  EXPECT_EQ(r[7], 0.0f);
  EXPECT_EQ(r[8], 0.0f);
  // row 0: one step of history (load 1): stats 0.1, similarity against the centroids' last step
  EXPECT_FLOAT_EQ(f[0], 0.1f);
  EXPECT_FLOAT_EQ(f[2], 0.1f);
  EXPECT_NEAR(f[3], 1.0, 1e-6);  // [0.1] vs [1]
  EXPECT_NEAR(f[4], 0.0, 1e-6);  // [0.1] vs [0]: a zero vector has similarity 0
  EXPECT_EQ(f[6], 0.0f);         // 2023-01-02 is a Monday
  // Jan 1 is a holiday of the built-in calendar: the forecast after the day before it says so
  const auto g = make_hybrid_features(load, start - kDay, kDay, n, holidays, centroids, 7);
  EXPECT_EQ(g[8], 1.0f);
}

TEST(HybridFeatures, KMeansIsDeterministicFromItsSeedAndFindsClearClusters) {
  std::vector<std::vector<double>> points;
  CounterRng rng(3, 0);
  for (int i = 0; i < 20; ++i) points.push_back({10.0 + rng.uniform(), rng.uniform()});
  for (int i = 0; i < 20; ++i) points.push_back({rng.uniform(), 10.0 + rng.uniform()});
  const auto a = kmeans(points, 2, 42, 7);
  EXPECT_EQ(a, kmeans(points, 2, 42, 7));
  ASSERT_EQ(a.size(), 2u);
  // one centroid per cloud, each the mean of its cloud
  const auto& hi_x = a[0][0] > 5 ? a[0] : a[1];
  const auto& hi_y = a[0][0] > 5 ? a[1] : a[0];
  EXPECT_NEAR(hi_x[0], 10.5, 0.2);
  EXPECT_NEAR(hi_y[1], 10.5, 0.2);
  double mean_x = 0;
  for (int i = 0; i < 20; ++i) mean_x += points[i][0] / 20;
  EXPECT_NEAR(hi_x[0], mean_x, 1e-12);
  EXPECT_THROW(kmeans(points, 41, 1, 1), InputError);
}

DataOptions hybrid_options() {
  DataOptions o;
  o.clients = 2;
  o.days = 70;
  o.lookback = 24;
  o.stride = 6;
  o.split.test_days = 7;
  o.split.val_days = 7;
  o.hybrid_clusters = 3;
  return o;
}

TEST(HybridFeatures, PipelineAppendsTheChannelsFromTheTrainingSpanOnly) {
  const ClientDatasets d = build_client_datasets(hybrid_options(), 5);
  ASSERT_EQ(d.hybrid_clusters, 3u);
  EXPECT_EQ(feature_names(3).size(), kFeatureCount + hybrid_channel_count(3));
  for (const auto& c : d.clients) {
    EXPECT_EQ(c.train.features, kFeatureCount + hybrid_channel_count(3));
    ASSERT_EQ(c.week_centroids.size(), 3u);
    EXPECT_EQ(c.week_centroids[0].size(), 7u * 24u);
  }
  // the same seed: the same centroids; another seed: other k-means++ draws
  EXPECT_EQ(build_client_datasets(hybrid_options(), 5).clients[0].week_centroids, d.clients[0].week_centroids);
  // too few training weeks for K
  DataOptions many = hybrid_options();
  many.hybrid_clusters = 9;  // 56 training days = 8 weeks
  EXPECT_THROW(build_client_datasets(many, 5), InputError);
}

TEST(HybridFeatures, TheTestSpanDoesNotLeakIntoCentroidsOrTrainingWindows) {
  // a CSV whose last week is changed: centroids and training windows must not move
  const std::string dir = ::testing::TempDir();
  auto write = [&](const std::string& name, double bump) {
    const std::string path = dir + "/" + name;
    FILE* f = std::fopen(path.c_str(), "w");
    std::fprintf(f, "date,load\n");
    const Timestamp start = *parse_timestamp("2023-01-02");
    for (int t = 0; t < 35 * 24; ++t) {
      const double v = 10 + std::sin(t * 0.26) + (t / 24) % 7 * 0.3 + (t >= 28 * 24 ? bump : 0.0);
      std::fprintf(f, "%s,%.6f\n", format_timestamp(start + t * 3600).c_str(), v);
    }
    std::fclose(f);
    return path;
  };
  DataOptions o;
  o.source = DataSource::kCsv;
  o.lookback = 24;
  o.split.test_days = 7;
  o.split.val_days = 0;
  o.hybrid_clusters = 2;
  o.cleaning.rule = OutlierRule::kNone;
  o.path = write("a.csv", 0.0);
  const ClientDatasets a = build_client_datasets(o, 1);
  o.path = write("b.csv", 0.4);
  const ClientDatasets b = build_client_datasets(o, 1);
  EXPECT_EQ(a.clients[0].week_centroids, b.clients[0].week_centroids);
  EXPECT_EQ(a.clients[0].train.x, b.clients[0].train.x);
  EXPECT_NE(a.clients[0].test.x, b.clients[0].test.x);
}

}  // namespace
}  // namespace fedload::data
