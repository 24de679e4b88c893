// A run killed with SIGKILL at a random moment leaves a result file that opens, says
// "incomplete", and holds every row appended before the kill, consistent across columns; after
// `h5clear -s` HDF5's own h5dump reads it as well.
// The writer is a separate program (fedload_io_kill_probe) so the kill is real.
#include <chrono>
#include <filesystem>
#include <iostream>
#include <random>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fedload/io/report.hpp"
#include "fedload/io/result_reader.hpp"
#include "../unit/io_test_support.hpp"

namespace fedload::io {
namespace {

using namespace std::chrono_literals;

pid_t start_probe(const std::string& path) {
  const pid_t pid = fork();
  if (pid == 0) {
    execl(FEDLOAD_IO_KILL_PROBE, FEDLOAD_IO_KILL_PROBE, path.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  return pid;
}

// rows the file holds now, or nothing while it cannot be opened yet (still being created).
std::optional<std::size_t> rows_now(const std::string& path) {
  try {
    return ResultReader::open(path).table("rounds").rows;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

void check_rows(const TableData& rounds) {
  const StringList phases = {"train", "aggregate", "broadcast"};
  const ColumnData& round = *rounds.column("round");
  const ColumnData& loss = *rounds.column("loss");
  const ColumnData& client_loss = *rounds.column("client_loss");
  const ColumnData& phase = *rounds.column("phase");
  for (std::size_t r = 0; r < rounds.rows; ++r) {
    ASSERT_EQ(round.integers[r], static_cast<std::int64_t>(r)) << "row " << r;
    ASSERT_EQ(loss.reals[r], 1.0 / static_cast<double>(r + 1)) << "row " << r;
    for (std::size_t j = 0; j < 4; ++j)
      ASSERT_EQ(client_loss.value(r, j), static_cast<double>(r * (j + 1))) << "row " << r << " client " << j;
    ASSERT_EQ(phase.label(r), phases[r % 3]) << "row " << r;
  }
}

// the timing batches of three rows each
void check_timing(const TableData& timing) {
  ASSERT_EQ(timing.rows % 3, 0u) << "a batch of rows was cut";
  for (std::size_t i = 0; i < timing.rows; ++i) {
    const auto round = static_cast<std::int64_t>(i / 3), rank = static_cast<std::int64_t>(i % 3);
    ASSERT_EQ(timing.column("round")->integers[i], round) << "row " << i;
    ASSERT_EQ(timing.column("rank")->integers[i], rank) << "row " << i;
    ASSERT_EQ(timing.column("seconds")->reals[i], 0.5 * static_cast<double>(rank + round)) << "row " << i;
  }
}

TEST(IoKill, SigkillAtRandomMomentsLeavesReadableIncompleteFiles) {
  testing::ScratchDir dir;
  const unsigned seed = std::random_device{}();
  SCOPED_TRACE(fmt::format("seed {}", seed));
  std::mt19937 random(seed);
  constexpr int kKills = 5;
  for (int kill_index = 0; kill_index < kKills; ++kill_index) {
    const std::string path = (dir / fmt::format("killed-{}.h5", kill_index)).string();
    const std::size_t wanted_rows = std::uniform_int_distribution<std::size_t>(1, 400)(random);
    SCOPED_TRACE(fmt::format("kill {} after at least {} rows", kill_index, wanted_rows));
    const pid_t pid = start_probe(path);
    ASSERT_GT(pid, 0);
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    std::size_t seen = 0;
    while (std::chrono::steady_clock::now() < deadline) {
      seen = rows_now(path).value_or(0);
      if (seen >= wanted_rows) break;
      std::this_thread::sleep_for(2ms);
    }
    // and a little later still, so the kill does not always follow a reader's open
    std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<int>(0, 20000)(random)));
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the probe ended on its own with status " << status;
    ASSERT_GE(seen, wanted_rows) << "the probe wrote too slowly";

    const ResultReader reader = ResultReader::open(path);
    EXPECT_TRUE(reader.opened_as_unclosed());
    EXPECT_EQ(reader.status(), "incomplete");
    const TableData rounds = reader.table("rounds");
    EXPECT_GE(rounds.rows, seen);
    EXPECT_LE(rounds.dropped_rows, 1u);
    check_rows(rounds);
    const TableData timing = reader.table("timing");
    check_timing(timing);
    // a round's timings go in right after its row: at most one round behind
    EXPECT_LE(timing.rows / 3, rounds.rows);
    EXPECT_GE(timing.rows / 3 + 1, rounds.rows);
    EXPECT_EQ(reader.array_shape("model/final").rows, 0u);
    const std::string report = format_report(reader);
    EXPECT_NE(report.find("!! INCOMPLETE RUN"), std::string::npos) << report;

    // the Python reader opens the killed file too (h5py, SWMR fallback)
    const auto python = testing::run_command(fmt::format(
        "{} -c {} {} {}", FEDLOAD_SYSTEM_PYTHON,
        testing::shell_quote("import sys; sys.path.insert(0, sys.argv[1]); import fedload_h5; "
                             "r = fedload_h5.load(sys.argv[2]); t = r['tables']['rounds']; "
                             "assert r['status'] == 'incomplete' and r['unclosed'], r['status']; "
                             "assert (t['round'] == range(len(t['round']))).all(); "
                             "print(len(t['round']))"),
        testing::shell_quote(std::string(FEDLOAD_SOURCE_DIR) + "/analysis"), testing::shell_quote(path)));
    ASSERT_EQ(python.exit_code, 0) << python.output;
    EXPECT_GE(std::stoul(python.output), rounds.rows);

    // HDF5's tools: after clearing the "open for writing" mark the whole file dumps
    if (std::string(FEDLOAD_H5CLEAR).empty()) {
      std::cout << "[ SKIPPED  ] h5clear/h5dump check: HDF5 tools not found (apt-get install hdf5-tools)\n";
      continue;
    }
    const std::string copy = path + ".cleared.h5";
    std::filesystem::copy_file(path, copy);
    const auto dump = testing::run_command(fmt::format("{} -s {} && {} {} > /dev/null", FEDLOAD_H5CLEAR,
                                                       testing::shell_quote(copy), FEDLOAD_H5DUMP,
                                                       testing::shell_quote(copy)));
    EXPECT_EQ(dump.exit_code, 0) << dump.output;
  }
}

}  // namespace
}  // namespace fedload::io
