// Profiling: every phase of a federated run is an NVTX push/pop range in the domain "fedload",
// named like the timing table's phase and round ("local_train r2"), balanced on every rank, as a
// real NVTX tool sees them (a test-only tool that NVTX v3 loads from NVTX_INJECTION64_PATH,
// tests/nvtx/nvtx_recorder.cpp); and the jobs/profile wrappers: what they hand the profiler,
// and exit 2 with a message when it is not installed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "support/mpi_launch.hpp"

namespace fedload {
namespace {

using testing::mpirun_command;
using testing::run_process;
using testing::slurp;
using testing::TempDir;

const std::string kTwoRounds =
    " --set fl.mode=federated --set fl.clients=4 --set fl.rounds=2 --set data.days=30 --set "
    "data.test_days=3"
    " --set data.val_days=0 --set model.hidden=8 --set train.batch_size=32";

std::vector<std::string> lines_of(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(NvtxRanges, EveryPhaseIsABalancedRangeInTheFedloadDomainOnEveryRank) {
  const std::string recorder = FEDLOAD_NVTX_RECORDER;
  if (recorder.empty())
    GTEST_SKIP()
        << "this build opens no NVTX ranges (nvtx3 headers not found, or FEDLOAD_NVTX=OFF)";
  TempDir dir;
  const auto r = run_process("env NVTX_INJECTION64_PATH=" + recorder + " FEDLOAD_NVTX_RECORD=" +
                             (dir / "ranges").string() + " " + mpirun_command(2) + " run" +
                             kTwoRounds + " --out " + (dir / "run.h5").string());
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;

  std::vector<std::filesystem::path> records;  // one per process: ranges.<pid>
  for (const auto& e : std::filesystem::directory_iterator(dir.path()))
    if (e.path().filename().string().starts_with("ranges.")) records.push_back(e.path());
  ASSERT_EQ(records.size(), 2u) << "the NVTX tool was not loaded by both ranks";

  // the timing table's phases, alone for set-up (round 0) or with the round
  const std::regex name(
      "(setup|broadcast|local_train|update_transform|communicate|aggregate|evaluate|write)( "
      "r[12])?");
  std::set<std::string> seen;
  for (const auto& file : records) {
    const auto lines = lines_of(file);
    ASSERT_FALSE(lines.empty()) << file;
    EXPECT_EQ(lines.front(), "domain fedload") << file;
    int depth = 0;
    for (std::size_t i = 1; i < lines.size(); ++i) {
      const std::string& l = lines[i];
      if (l == "pop fedload") {
        --depth;
        ASSERT_GE(depth, 0) << file << ": more pops than pushes at line " << i + 1;
      } else if (l.starts_with("push fedload ")) {
        ++depth;
        const std::string range = l.substr(13);
        EXPECT_TRUE(std::regex_match(range, name))
            << file << ": range '" << range << "' names no phase";
        seen.insert(range);
      } else {
        ADD_FAILURE() << file << ": unexpected NVTX event '" << l << "'";
      }
    }
    EXPECT_EQ(depth, 0) << file << ": ranges left open at exit";
  }
  for (const std::string expected : {"setup", "broadcast r1", "local_train r1", "local_train r2",
                                     "aggregate r1", "aggregate r2", "evaluate r2"})
    EXPECT_TRUE(seen.contains(expected)) << "no range '" << expected << "'";
}

// runs a wrapper from `cwd` (it writes results/profile/ there) with extra environment `env`,
// outside any MPI or Slurm job (whose rank variables add "-rankN" to the report's name)
testing::ProcessResult wrapper(const std::string& env, const TempDir& cwd,
                               const std::string& script, const std::string& args) {
  return run_process("cd " + cwd.path().string() +
                     " && env -u OMPI_COMM_WORLD_RANK -u PMI_RANK -u SLURM_PROCID " + env + " " +
                     FEDLOAD_SOURCE_DIR + "/jobs/profile/" + script + " " + args);
}

TEST(ProfileWrappers, SayWhichToolIsMissingAndExitWith2) {
  TempDir cwd;
  for (const std::string tool : {"nsys", "ncu"}) {
    const std::string var = tool == "nsys" ? "NSYS" : "NCU";
    const auto r = wrapper(var + "=/nonexistent/" + tool, cwd, tool + ".sh", "build/fedload run");
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("/nonexistent/" + tool + " not found"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("set " + var + "="), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(cwd / "results"))
        << "a report folder for a tool that is missing";
    const auto usage = wrapper(var + "=/bin/true", cwd, tool + ".sh", "");
    EXPECT_EQ(usage.exit_code, 2);
    EXPECT_NE(usage.err.find("usage: "), std::string::npos) << usage.err;
  }
}

TEST(ProfileWrappers, HandTheProfilerTheTracesTheReportNameAndTheCommand) {
  TempDir cwd;
  // a stand-in profiler: one argument per line, in brackets
  const auto fake =
      cwd.write("fake_profiler", "#!/bin/sh\nfor a in \"$@\"; do echo \"[$a]\"; done\n");
  std::filesystem::permissions(fake, std::filesystem::perms::owner_all);
  const std::string run =
      "build/fedload run --config jobs/configs/quickstart.toml --set fl.rounds=3";

  const auto nsys = wrapper("NSYS=" + fake, cwd, "nsys.sh", "--stats=true -- " + run);
  ASSERT_EQ(nsys.exit_code, 0) << nsys.err;
  const std::regex nsys_args(
      "\\[profile\\]\n\\[--trace=cuda,nvtx,mpi\\]\n\\[--mpi-impl=openmpi\\]\n"
      "\\[-o\\]\n\\[results/profile/quickstart-[0-9]{8}T[0-9]{6}Z\\]\n"
      "\\[--stats=true\\]\n"
      "\\[build/fedload\\]\n\\[run\\]\n\\[--config\\]\n\\[jobs/configs/quickstart.toml\\]\n"
      "\\[--set\\]\n\\[fl.rounds=3\\]\n");
  EXPECT_TRUE(std::regex_match(nsys.out, nsys_args)) << nsys.out;
  EXPECT_TRUE(std::filesystem::is_directory(cwd / "results/profile"));

  // ncu: only round 2's local training; one report per rank when mpirun starts the wrapper
  const auto ncu = wrapper(
      "NCU=" + fake + " FEDLOAD_NCU_ROUND=2 OMPI_COMM_WORLD_RANK=1 FEDLOAD_PROFILE_NAME=cuda_h64",
      cwd, "ncu.sh", run);
  ASSERT_EQ(ncu.exit_code, 0) << ncu.err;
  const std::regex ncu_args(
      "\\[--nvtx\\]\n\\[--nvtx-include\\]\n\\[fedload@local_train r2/\\]\n"
      "\\[--target-processes\\]\n\\[all\\]\n"
      "\\[-o\\]\n\\[results/profile/cuda_h64-[0-9]{8}T[0-9]{6}Z-rank1\\]\n"
      "\\[build/fedload\\]\n[\\s\\S]*");
  EXPECT_TRUE(std::regex_match(ncu.out, ncu_args)) << ncu.out;

  // round 0: a centralized run's training range has no round in its name
  const auto central = wrapper("NCU=" + fake + " FEDLOAD_NCU_ROUND=0", cwd, "ncu.sh", run);
  ASSERT_EQ(central.exit_code, 0) << central.err;
  EXPECT_NE(central.out.find("[fedload@local_train/]"), std::string::npos) << central.out;

  const auto bad_round = wrapper("NCU=" + fake + " FEDLOAD_NCU_ROUND=last", cwd, "ncu.sh", run);
  EXPECT_EQ(bad_round.exit_code, 2);
  EXPECT_NE(bad_round.err.find("FEDLOAD_NCU_ROUND = 'last'"), std::string::npos) << bad_round.err;
}

}  // namespace
}  // namespace fedload
