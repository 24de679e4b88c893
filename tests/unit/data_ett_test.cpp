// The ETT-small files from ../shared (not committed to the project): row counts, span,
// resolution, and the claims the README makes about zero crossings and outliers.
#include <algorithm>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "fedload/data/dataset.hpp"
#include "fedload/data/inspect.hpp"
#include "fedload/data/resolution.hpp"

namespace fedload::data {
namespace {

std::string ett(const std::string& name) { return std::string(FEDLOAD_SOURCE_DIR) + "/../shared/data/ett/" + name; }

#define REQUIRE_ETT(name)                                                                  \
  if (!std::filesystem::exists(ett(name))) GTEST_SKIP() << ett(name) << " is not there"

class DataEtt : public ::testing::TestWithParam<const char*> {};

TEST_P(DataEtt, LoadsWithTheKnownRowsSpanAndResolution) {
  REQUIRE_ETT(GetParam());
  const LoadTable t = load_csv(ett(GetParam()), {"date", {}});
  EXPECT_EQ(t.steps(), 17420u);
  EXPECT_EQ(t.resolution_seconds, 3600);
  EXPECT_EQ(t.steps_per_day, 24u);
  EXPECT_EQ(format_timestamp(t.start), "2016-07-01 00:00");
  EXPECT_EQ(format_timestamp(t.time_at(t.steps() - 1)), "2018-06-26 19:00");
  EXPECT_EQ(t.columns, (std::vector<std::string>{"HUFL", "HULL", "MUFL", "MULL", "LUFL", "LULL", "OT"}));
  EXPECT_EQ(t.repairs.gap_steps_inserted, 0u);
  EXPECT_EQ(t.repairs.missing_cells, 0u);
}

INSTANTIATE_TEST_SUITE_P(Files, DataEtt, ::testing::Values("ETTh1.csv", "ETTh2.csv"));

TEST(DataEttClients, Etth2MuflIsPositiveAndTheAbsoluteRuleLeavesItAlone) {
  REQUIRE_ETT("ETTh2.csv");
  DataOptions o;
  o.source = DataSource::kCsv;
  o.path = ett("ETTh2.csv");
  o.columns = {"MUFL"};
  o.lookback = 168;
  o.split.test_days = 30;
  const ClientDatasets d = build_client_datasets(o, 0);
  ASSERT_EQ(d.clients.size(), 1u);
  EXPECT_GT(d.clients[0].normalizer.min, 0.0);
  EXPECT_EQ(d.clients[0].cleaning.outliers_replaced, 0u);
  EXPECT_EQ(d.clients[0].test_midnight.size(), 30u);  // the partial last day has no full day ahead
  EXPECT_EQ(format_timestamp(d.clients[0].test_midnight.origin.back()), "2018-06-25 00:00");
}

TEST(DataEttClients, SixLoadColumnsBecomeSixClients) {
  REQUIRE_ETT("ETTh1.csv");
  DataOptions o;
  o.source = DataSource::kCsv;
  o.path = ett("ETTh1.csv");
  o.columns = {"HUFL", "HULL", "MUFL", "MULL", "LUFL", "LULL"};
  o.stride = 24;
  const ClientDatasets d = build_client_datasets(o, 0);
  ASSERT_EQ(d.clients.size(), 6u);
  EXPECT_EQ(d.clients[3].slices[0].column, "MULL");
  const std::string report = inspect_csv(ett("ETTh1.csv"));
  EXPECT_NE(report.find("span          2016-07-01 00:00 to 2018-06-26 19:00"), std::string::npos) << report;
}

}  // namespace
}  // namespace fedload::data
