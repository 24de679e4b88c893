// `fedload report` output: the text names the status (loudly when incomplete), the tables with
// their row counts and the last round; the JSON parses with Python's json module and holds the
// same values, also for text that needs escaping and for NaN.
#include <cmath>
#include <fstream>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "fedload/io/json_text.hpp"
#include "fedload/io/report.hpp"
#include "io_sample_run.hpp"
#include "io_test_support.hpp"

namespace fedload::io {
namespace {

using testing::SampleRun;
using testing::ScratchDir;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(IoReport, TextReportOfAFinishedRun) {
  ScratchDir dir;
  SampleRun().write(dir / "run.h5", true);
  const std::string report = format_report(ResultReader::open(dir / "run.h5"));
  EXPECT_TRUE(contains(report, "complete")) << report;
  EXPECT_FALSE(contains(report, "INCOMPLETE")) << report;
  EXPECT_TRUE(contains(report, fmt::format("{:>8} rows", SampleRun::kRounds))) << report;
  EXPECT_TRUE(contains(report, fmt::format("{:>8} rows", SampleRun::kRounds * SampleRun::kRanks))) << report;
  // last row of rounds: round 3, mape 7.5 %
  EXPECT_TRUE(contains(report, "last row of rounds (row 4 of 4)")) << report;
  EXPECT_TRUE(contains(report, "7.5 %")) << report;
  EXPECT_TRUE(contains(report, "final_model_sha256")) << report;
  // the multi-line config shows as one line
  EXPECT_TRUE(contains(report, "[fl] ... (3 lines)")) << report;
  EXPECT_TRUE(contains(report, "forecast/predictions")) << report;
}

TEST(IoReport, TextReportOfAnUnfinishedRunSaysSoLoudly) {
  ScratchDir dir;
  SampleRun().write(dir / "run.h5", false);
  const std::string report = format_report(ResultReader::open(dir / "run.h5"));
  EXPECT_TRUE(contains(report, "!! INCOMPLETE RUN")) << report;
}

TEST(IoReport, JsonReportParsesAndKeepsTrickyValues) {
  ScratchDir dir;
  ResultSchema schema;
  schema.table("rounds").int64("round").float64("loss").category("phase", {"train", "eval"});
  schema.array({.name = "model/final", .type = ElementType::kFloat32});
  const std::string tricky = "quote \" backslash \\ newline \n tab \t bell \x07 ü";
  {
    ResultWriter writer =
        ResultWriter::create(dir / "run.h5", schema, {{"config", tricky}, {"big", std::int64_t{1} << 62}});
    writer.append_row("rounds", {std::int64_t{0}, std::nan(""), std::string_view("eval")});
    writer.append_row("rounds", {std::int64_t{1}, 0.25, std::string_view("train")});
    const std::vector<float> model(7, 1.0f);
    writer.append_array("model/final", std::span<const float>(model));
    writer.finish({{"final_loss", 0.25}});
  }
  std::ofstream(dir / "report.json") << format_report_json(ResultReader::open(dir / "run.h5"));
  std::ofstream(dir / "tricky.txt") << tricky;
  const std::string check = R"(
import json, sys
r = json.load(open(sys.argv[1]))
tricky = open(sys.argv[2], encoding="utf-8").read()
assert r["status"] == "complete" and r["complete"] is True, r["status"]
assert r["attributes"]["config"] == tricky, r["attributes"]["config"]
assert r["attributes"]["big"] == 2**62, r["attributes"]["big"]
assert r["attributes"]["final_loss"] == 0.25
assert r["tables"]["rounds"] == {"round": [0, 1], "loss": [None, 0.25], "phase": ["eval", "train"]}, r["tables"]
assert r["arrays"] == {"model/final": {"shape": [7], "type": "float32"}}, r["arrays"]
print("ok")
)";
  std::ofstream(dir / "check.py") << check;
  const auto result = testing::run_command(fmt::format(
      "{} {} {} {}", FEDLOAD_SYSTEM_PYTHON, testing::shell_quote((dir / "check.py").string()),
      testing::shell_quote((dir / "report.json").string()), testing::shell_quote((dir / "tricky.txt").string())));
  EXPECT_EQ(result.exit_code, 0) << result.output;
}

TEST(IoReport, JsonNumbersAreShortestRoundTripAndNeverNan) {
  EXPECT_EQ(json_number(0.1), "0.1");
  EXPECT_EQ(json_number(std::nan("")), "null");
  EXPECT_EQ(json_number(-INFINITY), "null");
  EXPECT_EQ(json_string("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\u0001\"");
}

}  // namespace
}  // namespace fedload::io
