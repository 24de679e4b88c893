// The Python reader (analysis/fedload_h5.py, Debian's python3 with h5py) must read what the C++
// writer wrote: the test writes a run, describes it as JSON, and has Python compare.
#include <fstream>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "fedload/io/json_text.hpp"
#include "io_sample_run.hpp"
#include "io_test_support.hpp"

namespace fedload::io {
namespace {

using testing::SampleRun;
using testing::ScratchDir;

std::string json_attribute(const AttributeValue& value) {
  if (const auto* s = std::get_if<std::string>(&value)) return json_string(*s);
  if (const auto* i = std::get_if<std::int64_t>(&value)) return json_number(*i);
  if (const auto* d = std::get_if<double>(&value)) return json_number(*d);
  std::vector<std::string> items;
  for (const auto& s : std::get<StringList>(value)) items.push_back(json_string(s));
  return fmt::format("[{}]", fmt::join(items, ", "));
}

template <typename T>
std::string json_values(const std::vector<T>& values, std::size_t width = 0) {
  std::vector<std::string> items;
  auto number = [](T v) {
    if constexpr (std::is_integral_v<T>) return json_number(std::int64_t{v});
    else return json_number(static_cast<double>(v));
  };
  if (width == 0) {
    for (T v : values) items.push_back(number(v));
  } else {
    for (std::size_t r = 0; r < values.size() / width; ++r) {
      std::vector<std::string> row;
      for (std::size_t j = 0; j < width; ++j) row.push_back(number(values[r * width + j]));
      items.push_back(fmt::format("[{}]", fmt::join(row, ", ")));
    }
  }
  return fmt::format("[{}]", fmt::join(items, ", "));
}

std::string expected_json(const SampleRun& run, bool finished) {
  std::vector<std::string> attrs;
  for (const auto& a : run.attributes) attrs.push_back(json_string(a.name) + ": " + json_attribute(a.value));
  if (finished)
    for (const auto& a : run.final_attributes) attrs.push_back(json_string(a.name) + ": " + json_attribute(a.value));
  std::vector<std::string> phases;
  for (auto code : run.timing_phase) phases.push_back(json_string(SampleRun::kPhases[static_cast<std::size_t>(code)]));
  return fmt::format(
      R"({{"status": "{}", "attrs": {{{}}},
 "tables": {{"rounds": {{"round": {}, "loss": {}, "mape": {}, "client_loss": {}, "selected": {}}},
            "timing": {{"round": {}, "rank": {}, "phase": [{}], "seconds": {}, "bytes_sent": {}}}}},
 "arrays": {{"model/final": {}, "forecast/predictions": {}}}}})",
      finished ? "complete" : "incomplete", fmt::join(attrs, ", "), json_values(run.round), json_values(run.loss),
      json_values(run.mape), json_values(run.client_loss, SampleRun::kClients),
      json_values(run.selected, SampleRun::kClients), json_values(run.timing_round), json_values(run.timing_rank),
      fmt::join(phases, ", "), json_values(run.seconds), json_values(run.bytes_sent), json_values(run.model),
      json_values(run.predictions, 2));
}

void check_with_python(bool finished) {
  ScratchDir dir;
  const SampleRun run;
  run.write(dir / "run.h5", finished);
  std::ofstream(dir / "expected.json") << expected_json(run, finished);
  const auto result = testing::run_command(fmt::format(
      "{} {} {} {} {}", FEDLOAD_SYSTEM_PYTHON,
      testing::shell_quote(std::string(FEDLOAD_SOURCE_DIR) + "/tests/unit/io_python_check.py"),
      testing::shell_quote(FEDLOAD_SOURCE_DIR), testing::shell_quote((dir / "run.h5").string()),
      testing::shell_quote((dir / "expected.json").string())));
  EXPECT_EQ(result.exit_code, 0) << result.output;
}

TEST(IoPythonReader, ReadsAFinishedRunAsWritten) { check_with_python(true); }

TEST(IoPythonReader, ReadsAnUnfinishedRunAsIncomplete) { check_with_python(false); }

TEST(IoPythonReader, SummaryScriptNamesTheStatusAndTables) {
  ScratchDir dir;
  SampleRun().write(dir / "run.h5", false);
  const auto result = testing::run_command(
      fmt::format("{} {} {}", FEDLOAD_SYSTEM_PYTHON,
                  testing::shell_quote(std::string(FEDLOAD_SOURCE_DIR) + "/analysis/fedload_h5.py"),
                  testing::shell_quote((dir / "run.h5").string())));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("INCOMPLETE"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("timing"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace fedload::io
