#include <cmath>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "data_temp_dir.hpp"
#include "fedload/core/error.hpp"
#include "fedload/data/resolution.hpp"
#include "fedload/data/synthetic.hpp"

namespace fedload::data {
namespace {

using testing::TempDir;

std::string to_csv(const LoadTable& table) {
  std::string text = "timestamp";
  for (const auto& c : table.columns) text += "," + c;
  text += "\n";
  for (std::size_t t = 0; t < table.steps(); ++t) {
    text += fmt::format("{}:00", format_timestamp(table.time_at(t)));
    for (const auto& col : table.values) text += fmt::format(",{}", col[t]);
    text += "\n";
  }
  return text;
}

// the InputError message of loading `text`, or "" when it loads
std::string load_error(const TempDir& dir, const std::string& text) {
  const std::string path = dir.write("bad.csv", text);
  try {
    load_csv(path);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

class DataResolution : public ::testing::TestWithParam<int> {};

TEST_P(DataResolution, IsDetectedFromSyntheticFiles) {
  const int minutes = GetParam();
  TempDir dir;
  SyntheticOptions options;
  options.series = 2;
  options.days = 3;
  options.resolution_minutes = minutes;
  const LoadTable generated = generate_synthetic(options, 7, HolidayCalendar::builtin_fixed_dates());
  const LoadTable loaded = load_csv(dir.write("load.csv", to_csv(generated)));
  EXPECT_EQ(loaded.resolution_seconds, minutes * 60);
  EXPECT_EQ(loaded.steps_per_day, static_cast<std::size_t>(1440 / minutes));
  EXPECT_EQ(loaded.steps(), 3 * loaded.steps_per_day);
  EXPECT_EQ(loaded.columns, generated.columns);
  EXPECT_NEAR(loaded.values[1][5], generated.values[1][5], 1e-9 * generated.values[1][5]);
}

INSTANTIATE_TEST_SUITE_P(Minutes, DataResolution, ::testing::Values(15, 30, 60));

TEST(DataCsv, EmptyAndHeaderOnlyFilesAreRefused) {
  TempDir dir;
  EXPECT_NE(load_error(dir, "").find("empty"), std::string::npos);
  EXPECT_NE(load_error(dir, "date,load\n").find("header but no data rows"), std::string::npos);
  EXPECT_NE(load_error(dir, "date,load\n2020-01-01 00:00,1\n").find("at least 2"), std::string::npos);
}

TEST(DataCsv, MissingFileAndUnknownColumnNameThePath) {
  EXPECT_THROW(load_csv("/nonexistent/fedload.csv"), InputError);
  TempDir dir;
  const std::string path = dir.write("a.csv", "date,load\n2020-01-01 00:00,1\n2020-01-01 01:00,2\n");
  try {
    load_csv(path, {"", {"power"}});
    FAIL() << "an unknown column loaded";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("'power'"), std::string::npos) << e.what();
  }
}

TEST(DataCsv, NonNumericCellNamesFileLineAndColumn) {
  TempDir dir;
  const std::string msg =
      load_error(dir, "date,a,b\n2020-01-01 00:00,1,2\n2020-01-01 01:00,1,abc\n2020-01-01 02:00,1,2\n");
  EXPECT_NE(msg.find("bad.csv:3:3"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'abc'"), std::string::npos) << msg;
}

TEST(DataCsv, BadTimestampNamesTheLine) {
  TempDir dir;
  const std::string msg = load_error(dir, "date,a\n2020-01-01 00:00,1\n01/01/2020 01:00,1\n");
  EXPECT_NE(msg.find("bad.csv:3:1"), std::string::npos) << msg;
}

TEST(DataCsv, DuplicateTimestampIsAnErrorAtItsLine) {
  TempDir dir;
  const std::string msg =
      load_error(dir, "date,a\n2020-01-01 00:00,1\n2020-01-01 01:00,2\n2020-01-01 01:00,2\n2020-01-01 02:00,3\n");
  EXPECT_NE(msg.find("bad.csv:4"), std::string::npos) << msg;
  EXPECT_NE(msg.find("duplicate"), std::string::npos) << msg;
}

TEST(DataCsv, OutOfOrderRowsAreAnError) {
  TempDir dir;
  const std::string msg = load_error(
      dir, "date,a\n2020-01-01 00:00,1\n2020-01-01 02:00,2\n2020-01-01 01:00,2\n2020-01-01 03:00,3\n2020-01-01 04:00,3\n");
  EXPECT_NE(msg.find("bad.csv:4"), std::string::npos) << msg;
  EXPECT_NE(msg.find("before"), std::string::npos) << msg;
}

TEST(DataCsv, MixedResolutionsAreAnError) {
  TempDir dir;
  // hourly with one row 30 minutes off the grid
  std::string off_grid = "date,a\n";
  for (int h = 0; h < 6; ++h) off_grid += fmt::format("2020-01-01 {:02}:{},1\n", h, h == 3 ? "30" : "00");
  EXPECT_NE(load_error(dir, off_grid).find("mixed resolution"), std::string::npos);
  // 15-minute rows, then an hourly stretch: every difference is a whole number of steps
  std::string stretch = "date,a\n";
  for (int m = 0; m < 8 * 60; m += 15) stretch += fmt::format("2020-01-01 {:02}:{:02},1\n", m / 60, m % 60);
  for (int h = 8; h < 14; ++h) stretch += fmt::format("2020-01-01 {:02}:00,1\n", h);
  const std::string msg = load_error(dir, stretch);
  EXPECT_NE(msg.find("mixed resolution"), std::string::npos) << msg;
}

TEST(DataCsv, GapsAndMissingCellsAreRepairedAndCounted) {
  TempDir dir;
  // 02:00 and 03:00 are absent; one cell is empty, one says NA
  const std::string path = dir.write("gap.csv",
                                     "date,a\n2020-01-01 00:00,1\n2020-01-01 01:00,\n2020-01-01 04:00,4\n"
                                     "2020-01-01 05:00,NA\n2020-01-01 06:00,6\n2020-01-01 07:00,7\n");
  const LoadTable table = load_csv(path);
  EXPECT_EQ(table.resolution_seconds, 3600);
  EXPECT_EQ(table.steps(), 8u);
  EXPECT_EQ(table.repairs.gaps, 1u);
  EXPECT_EQ(table.repairs.gap_steps_inserted, 2u);
  EXPECT_EQ(table.repairs.missing_cells, 2u);
  EXPECT_TRUE(std::isnan(table.values[0][2]) && std::isnan(table.values[0][3]));
  EXPECT_DOUBLE_EQ(table.values[0][4], 4.0);
}

TEST(DataCsv, AllMissingColumnIsNamed) {
  TempDir dir;
  const std::string msg = load_error(dir, "date,a,dead\n2020-01-01 00:00,1,\n2020-01-01 01:00,2,NA\n2020-01-01 02:00,3,\n");
  EXPECT_NE(msg.find("'dead'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("no value"), std::string::npos) << msg;
}

TEST(DataCsv, WrongFieldCountNamesTheLine) {
  TempDir dir;
  const std::string msg = load_error(dir, "date,a,b\n2020-01-01 00:00,1,2\n2020-01-01 01:00,1\n");
  EXPECT_NE(msg.find("bad.csv:3"), std::string::npos) << msg;
}

}  // namespace
}  // namespace fedload::data
