#include <algorithm>
#include <cmath>

#include <gtest/gtest.h>

#include "data_temp_dir.hpp"
#include "fedload/core/error.hpp"
#include "fedload/data/dataset.hpp"
#include "fedload/data/inspect.hpp"

namespace fedload::data {
namespace {

DataOptions synthetic_options() {
  DataOptions o;
  o.clients = 3;
  o.days = 40;
  o.resolution_minutes = 30;
  o.lookback = 96;
  o.stride = 4;
  o.split.test_days = 5;
  o.split.val_days = 3;
  return o;
}

TEST(DataDataset, SyntheticClientsHaveAlignedTrainValTestWindows) {
  const ClientDatasets d = build_client_datasets(synthetic_options(), 9);
  EXPECT_EQ(d.steps_per_day, 48u);
  EXPECT_EQ(d.horizon, 48u);  // default: one day ahead
  ASSERT_EQ(d.clients.size(), 3u);
  for (const ClientDataset& c : d.clients) {
    ASSERT_EQ(c.slices.size(), 1u);
    const SliceInfo& s = c.slices[0];
    EXPECT_EQ(format_timestamp(s.test_begin), "2023-02-05 00:00");  // 40 days from Jan 1, last 5 for test
    EXPECT_EQ(format_timestamp(s.val_begin), "2023-02-02 00:00");
    // first training window: its lookback starts at the first step
    EXPECT_EQ(c.train.origin.front(), d.start + 96 * 1800);
    // no window's targets cross into the next span
    EXPECT_LE(c.train.origin.back() + (48 - 1) * 1800, s.val_begin - 1800);
    EXPECT_GE(c.val.origin.front(), s.val_begin);
    EXPECT_GE(c.test.origin.front(), s.test_begin);
    EXPECT_EQ(c.test.origin.back() + (48 - 1) * 1800, s.end);  // the last step closes the last window (stride 4 divides)
    // 5 test midnights, each a day ahead
    ASSERT_EQ(c.test_midnight.size(), 5u);
    EXPECT_EQ(c.test_midnight.origin.front(), s.test_begin);
    EXPECT_EQ(c.train.x.size(), c.train.size() * 96 * kFeatureCount);
    EXPECT_EQ(c.train.y.size(), c.train.size() * 48);
  }
  EXPECT_EQ(d.client_sizes(), std::vector<std::size_t>(3, d.clients[0].train.size()));
}

TEST(DataDataset, NormalizerIsFittedOnTheTrainingSpanOnly) {
  const ClientDatasets d = build_client_datasets(synthetic_options(), 9);
  for (const ClientDataset& c : d.clients) {
    // every training target lies in [0, 1] and both ends are reached by some training value
    float lo = 1e9f, hi = -1e9f;
    for (std::size_t i = 0; i < c.train.x.size(); i += kFeatureCount) {
      lo = std::min(lo, c.train.x[i]);
      hi = std::max(hi, c.train.x[i]);
    }
    for (const float y : c.train.y) {
      lo = std::min(lo, y);
      hi = std::max(hi, y);
    }
    EXPECT_FLOAT_EQ(lo, 0.0f);
    EXPECT_FLOAT_EQ(hi, 1.0f);
  }
  // the test span, not seen by the fit, leaves [0, 1] for at least one client
  bool outside = false;
  for (const ClientDataset& c : d.clients)
    for (const float y : c.test.y) outside = outside || y < 0.0f || y > 1.0f;
  EXPECT_TRUE(outside);
}

TEST(DataDataset, SameSeedSameWindows) {
  const ClientDatasets a = build_client_datasets(synthetic_options(), 21);
  const ClientDatasets b = build_client_datasets(synthetic_options(), 21);
  EXPECT_EQ(a.clients[2].train.x, b.clients[2].train.x);
  EXPECT_EQ(a.clients[2].test.y, b.clients[2].test.y);
}

TEST(DataDataset, ShardAndSpreadPartitions) {
  DataOptions o = synthetic_options();
  o.partition = PartitionMode::kShard;
  o.clients = 2;
  o.days = 60;
  const ClientDatasets shard = build_client_datasets(o, 4);
  ASSERT_EQ(shard.columns.size(), 1u);
  ASSERT_EQ(shard.clients.size(), 2u);
  EXPECT_EQ(format_timestamp(shard.clients[1].slices[0].begin), "2023-01-31 00:00");
  EXPECT_EQ(shard.clients[0].slices[0].end + 1800, shard.clients[1].slices[0].begin);
  // no client sees the other's steps, lookback included
  EXPECT_GE(shard.clients[1].train.origin.front(), shard.clients[1].slices[0].begin + 96 * 1800);

  o = synthetic_options();
  o.partition = PartitionMode::kSpread;
  o.series = 5;
  o.clients = 2;
  const ClientDatasets spread = build_client_datasets(o, 4);
  ASSERT_EQ(spread.clients.size(), 2u);
  EXPECT_EQ(spread.clients[0].slices.size(), 3u);
  EXPECT_EQ(spread.clients[1].slices.size(), 2u);
  EXPECT_EQ(spread.clients[0].train.size(), 3 * spread.clients[1].train.size() / 2);
}

TEST(DataDataset, BadOptionsAreInputErrors) {
  DataOptions o = synthetic_options();
  o.split.test_days = 39;
  EXPECT_THROW(build_client_datasets(o, 1), InputError);
  o = synthetic_options();
  o.lookback = 40 * 48;
  EXPECT_THROW(build_client_datasets(o, 1), InputError);
  o = synthetic_options();
  o.source = DataSource::kCsv;
  EXPECT_THROW(build_client_datasets(o, 1), InputError);  // no path
  EXPECT_THROW(parse_partition_mode("random"), InputError);
  EXPECT_THROW(parse_data_source("parquet"), InputError);
}

TEST(DataDataset, CsvCleaningCountsReachTheClient) {
  fedload::data::testing::TempDir dir;
  std::string text = "time,a\n";
  for (int d = 0; d < 20; ++d)
    for (int h = 0; h < 24; ++h) {
      if (d == 4 && (h == 3 || h == 4)) continue;  // a gap of two steps
      const double v = (d == 9 && h == 12) ? 1e5 : 50.0 + h;
      text += fmt::format("2021-03-{:02} {:02}:00,{}\n", d + 1, h, d == 6 && h == 1 ? std::string("NA") : fmt::format("{}", v));
    }
  DataOptions o;
  o.source = DataSource::kCsv;
  o.path = dir.write("one.csv", text);
  o.split.test_days = 3;
  o.split.val_days = 2;
  const ClientDatasets d = build_client_datasets(o, 0);
  EXPECT_EQ(d.repairs.gap_steps_inserted, 2u);
  ASSERT_EQ(d.clients.size(), 1u);
  EXPECT_EQ(d.clients[0].cleaning.missing_imputed, 3u);
  EXPECT_EQ(d.clients[0].cleaning.outliers_replaced, 1u);
  EXPECT_DOUBLE_EQ(d.clients[0].normalizer.min, 50.0);
  EXPECT_DOUBLE_EQ(d.clients[0].normalizer.max, 73.0);

  const std::string report = inspect_csv(o.path);
  EXPECT_NE(report.find("resolution    60 min (24 steps per day)"), std::string::npos) << report;
  EXPECT_NE(report.find("1 (2 missing steps"), std::string::npos) << report;
  EXPECT_NE(report.find("loading       ok"), std::string::npos) << report;
}

TEST(DataInspect, ListsWhatLoadingWouldRefuse) {
  fedload::data::testing::TempDir dir;
  const std::string path =
      dir.write("dup.csv", "date,a\n2020-01-01 00:00,1\n2020-01-01 01:00,-2\n2020-01-01 01:00,2\n2020-01-01 02:00,3\n");
  const std::string report = inspect_csv(path);
  EXPECT_NE(report.find("duplicates    1"), std::string::npos) << report;
  EXPECT_NE(report.find("dup.csv:4: duplicate timestamp"), std::string::npos) << report;
  EXPECT_NE(report.find("loading       refused"), std::string::npos) << report;
  // the column table: 0 missing, 1 non-positive
  EXPECT_NE(report.find("a                     0            1"), std::string::npos) << report;
}

}  // namespace
}  // namespace fedload::data
