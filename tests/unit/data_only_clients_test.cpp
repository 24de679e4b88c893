// One rank's share of the clients (DataOptions::only_clients): a client built alone must be
// bit for bit the client built among all of them, and synthetic data must generate only the
// series the listed clients read.
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fedload/core/error.hpp"
#include "fedload/data/dataset.hpp"
#include "fedload/data/synthetic.hpp"

namespace fedload::data {
namespace {

std::string ett(const std::string& name) { return std::string(FEDLOAD_SOURCE_DIR) + "/../shared/data/ett/" + name; }

#define REQUIRE_ETT(name)                                                                  \
  if (!std::filesystem::exists(ett(name))) GTEST_SKIP() << ett(name) << " is not there"

template <typename T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

void expect_same_windows(const WindowSet& a, const WindowSet& b, const std::string& what) {
  EXPECT_EQ(a.lookback, b.lookback) << what;
  EXPECT_EQ(a.horizon, b.horizon) << what;
  EXPECT_TRUE(same_bits(a.x, b.x)) << what << ": x differs";
  EXPECT_TRUE(same_bits(a.y, b.y)) << what << ": y differs";
  EXPECT_EQ(a.origin, b.origin) << what;
}

void expect_same_client(const ClientDataset& alone, const ClientDataset& among) {
  const std::string who = "client " + std::to_string(among.client);
  EXPECT_EQ(alone.client, among.client);
  expect_same_windows(alone.train, among.train, who + " train");
  expect_same_windows(alone.val, among.val, who + " val");
  expect_same_windows(alone.test, among.test, who + " test");
  expect_same_windows(alone.test_midnight, among.test_midnight, who + " test_midnight");
  EXPECT_TRUE(same_bits(alone.normalizer.min, among.normalizer.min)) << who;
  EXPECT_TRUE(same_bits(alone.normalizer.max, among.normalizer.max)) << who;
  EXPECT_EQ(alone.cleaning.missing_imputed, among.cleaning.missing_imputed) << who;
  EXPECT_EQ(alone.cleaning.outliers_replaced, among.cleaning.outliers_replaced) << who;
  EXPECT_TRUE(same_bits(alone.cleaning.imputation_value, among.cleaning.imputation_value)) << who;
  EXPECT_TRUE(same_bits(alone.cleaning.outlier_threshold, among.cleaning.outlier_threshold)) << who;
  ASSERT_EQ(alone.load.size(), among.load.size()) << who;
  for (std::size_t i = 0; i < alone.load.size(); ++i) EXPECT_TRUE(same_bits(alone.load[i], among.load[i])) << who;
  ASSERT_EQ(alone.slices.size(), among.slices.size()) << who;
  for (std::size_t i = 0; i < alone.slices.size(); ++i) {
    EXPECT_EQ(alone.slices[i].column, among.slices[i].column) << who;
    EXPECT_EQ(alone.slices[i].begin, among.slices[i].begin) << who;
    EXPECT_EQ(alone.slices[i].test_begin, among.slices[i].test_begin) << who;
  }
}

// builds `only` alone and everything together, and compares what a rank would see
void expect_share_equals_whole(DataOptions o, const std::vector<std::size_t>& only, std::uint64_t seed) {
  o.only_clients.clear();
  const ClientDatasets all = build_client_datasets(o, seed);
  o.only_clients = only;
  const ClientDatasets share = build_client_datasets(o, seed);
  // the run-level fields and the mapping are the whole run's
  EXPECT_EQ(share.columns, all.columns);
  EXPECT_EQ(share.start, all.start);
  EXPECT_EQ(share.end, all.end);
  EXPECT_EQ(share.client_count(), all.client_count());
  ASSERT_EQ(share.assignment.size(), all.assignment.size());
  for (std::size_t k = 0; k < all.assignment.size(); ++k) {
    ASSERT_EQ(share.assignment[k].slices.size(), all.assignment[k].slices.size());
    for (std::size_t i = 0; i < all.assignment[k].slices.size(); ++i) {
      EXPECT_EQ(share.assignment[k].slices[i].column, all.assignment[k].slices[i].column);
      EXPECT_EQ(share.assignment[k].slices[i].begin, all.assignment[k].slices[i].begin);
      EXPECT_EQ(share.assignment[k].slices[i].end, all.assignment[k].slices[i].end);
    }
  }
  // only the listed clients, in order, each equal to itself among all
  ASSERT_EQ(share.clients.size(), only.size());
  std::vector<std::size_t> sizes;
  for (std::size_t i = 0; i < only.size(); ++i) {
    EXPECT_EQ(share.clients[i].client, only[i]);
    EXPECT_TRUE(share.built(only[i]));
    expect_same_client(share.client(only[i]), all.clients[only[i]]);
    sizes.push_back(all.clients[only[i]].train.size());
  }
  EXPECT_EQ(share.client_sizes(), sizes);
}

DataOptions synthetic_options() {
  DataOptions o;
  o.clients = 6;
  o.days = 40;
  o.resolution_minutes = 30;
  o.lookback = 96;
  o.stride = 4;
  o.split.test_days = 5;
  o.split.val_days = 3;
  return o;
}

// ETTh1's six load columns as six clients, one window a day, 30 test days
DataOptions etth1_six_load_columns() {
  DataOptions o;
  o.source = DataSource::kCsv;
  o.path = ett("ETTh1.csv");
  o.columns = {"HUFL", "HULL", "MUFL", "MULL", "LUFL", "LULL"};
  o.stride = 24;
  o.split.test_days = 30;
  return o;
}

TEST(DataOnlyClients, SyntheticColumnClientAloneEqualsItselfAmongAll) {
  expect_share_equals_whole(synthetic_options(), {4}, 17);
  expect_share_equals_whole(synthetic_options(), {0, 2, 5}, 17);
}

TEST(DataOnlyClients, SyntheticShardAndSpread) {
  DataOptions o = synthetic_options();
  o.partition = PartitionMode::kShard;
  o.clients = 3;
  o.days = 60;
  expect_share_equals_whole(o, {2}, 5);
  expect_share_equals_whole(o, {0, 1}, 5);

  o = synthetic_options();
  o.partition = PartitionMode::kSpread;
  o.series = 7;
  o.clients = 3;
  expect_share_equals_whole(o, {1}, 5);  // columns 1 and 4
}

TEST(DataOnlyClients, SyntheticGeneratesOnlyTheSeriesTheListedClientsRead) {
  DataOptions o = synthetic_options();
  o.partition = PartitionMode::kSpread;
  o.series = 7;
  o.clients = 3;
  o.only_clients = {1};
  const LoadTable share = load_source(o, 3);
  o.only_clients.clear();
  const LoadTable all = load_source(o, 3);
  ASSERT_EQ(share.columns, all.columns);
  EXPECT_EQ(share.steps(), all.steps());
  for (std::size_t c = 0; c < all.columns.size(); ++c) {
    if (c == 1 || c == 4) {
      EXPECT_TRUE(same_bits(share.values[c], all.values[c])) << "column " << c;
    } else {
      EXPECT_TRUE(share.values[c].empty()) << "column " << c << " was generated though no listed client reads it";
    }
  }
}

TEST(DataOnlyClients, SyntheticOnlySeriesKeepsTheValuesAndRefusesBadIds) {
  const auto cal = HolidayCalendar::builtin_fixed_dates();
  SyntheticOptions s;
  s.series = 5;
  s.days = 10;
  const LoadTable all = generate_synthetic(s, 8, cal);
  s.only_series = {0, 3};
  const LoadTable some = generate_synthetic(s, 8, cal);
  EXPECT_EQ(some.steps(), all.steps());
  EXPECT_TRUE(same_bits(some.values[0], all.values[0]));
  EXPECT_TRUE(same_bits(some.values[3], all.values[3]));
  EXPECT_TRUE(some.values[4].empty());
  s.only_series = {5};
  EXPECT_THROW(generate_synthetic(s, 8, cal), InputError);
  s.only_series = {3, 1};
  EXPECT_THROW(generate_synthetic(s, 8, cal), InputError);
}

TEST(DataOnlyClients, BadIdsAreInputErrorsAndAClientNotBuiltFailsLoudly) {
  DataOptions o = synthetic_options();
  o.only_clients = {6};  // clients 0..5
  EXPECT_THROW(build_client_datasets(o, 1), InputError);
  o.only_clients = {3, 2};
  EXPECT_THROW(build_client_datasets(o, 1), InputError);
  o.only_clients = {2, 2};
  EXPECT_THROW(build_client_datasets(o, 1), InputError);
  o.only_clients = {2};
  const ClientDatasets d = build_client_datasets(o, 1);
  EXPECT_FALSE(d.built(3));
  try {
    (void)d.client(3);
    FAIL() << "client 3 was not built, but client(3) returned";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kRuntime);
    EXPECT_NE(std::string(e.what()).find("client 3 was not built"), std::string::npos) << e.what();
  }
}

TEST(DataOnlyClients, EttColumnAndShardClientsAloneEqualThemselvesAmongAll) {
  REQUIRE_ETT("ETTh1.csv");
  DataOptions o = etth1_six_load_columns();
  expect_share_equals_whole(o, {3}, 0);
  expect_share_equals_whole(o, {0, 5}, 0);

  o.columns = {"OT"};
  o.partition = PartitionMode::kShard;
  o.clients = 4;
  o.split.test_days = 14;
  o.split.val_days = 7;
  expect_share_equals_whole(o, {1}, 0);
  expect_share_equals_whole(o, {0, 3}, 0);
}

// choose_clients: the share decided from the run's client count inside the one build
TEST(DataOnlyClients, ChooseClientsIsCalledOnceWithTheRunsCountAndMayChooseNone) {
  DataOptions o = synthetic_options();  // 6 clients
  std::vector<std::size_t> counts;
  o.only_clients = {0};  // choose_clients takes precedence
  o.choose_clients = [&counts](std::size_t n) {
    counts.push_back(n);
    return std::vector<std::size_t>{n - 2, n - 1};
  };
  const ClientDatasets share = build_client_datasets(o, 17);
  EXPECT_EQ(counts, std::vector<std::size_t>{6});
  ASSERT_EQ(share.clients.size(), 2u);
  EXPECT_EQ(share.clients[0].client, 4u);
  EXPECT_EQ(share.clients[1].client, 5u);
  DataOptions whole = synthetic_options();
  const ClientDatasets all = build_client_datasets(whole, 17);
  expect_same_client(share.client(5), all.client(5));

  // none: the table-level facts and the mapping, no client, no series generated
  o.choose_clients = [](std::size_t) { return std::vector<std::size_t>{}; };
  const ClientDatasets none = build_client_datasets(o, 17);
  EXPECT_TRUE(none.clients.empty());
  EXPECT_EQ(none.client_count(), 6u);
  EXPECT_EQ(none.columns, all.columns);
  EXPECT_EQ(none.lookback, all.lookback);
  EXPECT_EQ(none.end, all.end);
  const LoadTable table = load_source(o, 17);
  for (const auto& column : table.values) EXPECT_TRUE(column.empty());

  // the chosen list follows only_clients' rules
  o.choose_clients = [](std::size_t n) { return std::vector<std::size_t>{n}; };
  EXPECT_THROW(build_client_datasets(o, 17), InputError);
  o.choose_clients = [](std::size_t) { return std::vector<std::size_t>{3, 1}; };
  EXPECT_THROW(build_client_datasets(o, 17), InputError);
}

TEST(DataOnlyClients, EttChooseClientsReadsTheFileOnceAndBuildsTheShare) {
  REQUIRE_ETT("ETTh1.csv");
  DataOptions o = etth1_six_load_columns();
  std::vector<std::size_t> counts;
  o.choose_clients = [&counts](std::size_t n) {
    counts.push_back(n);
    return std::vector<std::size_t>{2};
  };
  const ClientDatasets share = build_client_datasets(o, 0);
  EXPECT_EQ(counts, std::vector<std::size_t>{6});
  o.choose_clients = nullptr;
  const ClientDatasets all = build_client_datasets(o, 0);
  ASSERT_EQ(share.clients.size(), 1u);
  expect_same_client(share.client(2), all.client(2));
}

}  // namespace
}  // namespace fedload::data
