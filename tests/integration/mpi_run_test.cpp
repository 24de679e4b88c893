// `fedload run` under mpirun: every rank validates the config, rank 0 alone writes the file,
// and it records every rank's host and phase times; an experiment that runs in one process
// refuses a larger job before anything is written.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/mpi_launch.hpp"
#include "support/result_checks.hpp"

namespace fedload {
namespace {

using testing::mpirun_command;
using testing::python_check;
using testing::run_process;
using testing::TempDir;

TEST(MpiRun, RankZeroWritesOneFileWithEveryRanksHostDeviceAndPhases) {
  TempDir dir;
  const auto out = dir / "m.h5";
  const auto r = run_process(mpirun_command(3) + " run --set run.experiment=describe --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // one process prints
  std::size_t prints = 0;
  for (std::size_t p = r.out.find("result: "); p != std::string::npos; p = r.out.find("result: ", p + 1)) ++prints;
  EXPECT_EQ(prints, 1u) << r.out;
  EXPECT_TRUE(python_check({out}, R"PY(
assert r['complete']
assert int(r['attrs']['ranks']) == 3
assert len(r['attrs']['hosts']) == 3
# the GPU each rank is bound to: none without a visible GPU, else a device index
d = list(r['attrs']['rank_devices'])
assert len(d) == 3, d
assert all(x.isdigit() for x in d) if r['attrs']['devices'] else d == ['none'] * 3, (d, r['attrs']['devices'])
t = r['tables']['timing']
assert sorted(set(t['rank'].tolist())) == [0, 1, 2], t['rank']
)PY"));
}

TEST(MpiRun, ASingleProcessExperimentRefusesSeveralRanksAndWritesNothing) {
  TempDir dir;
  const auto out = dir / "m.h5";
  const auto r = run_process(mpirun_command(2) + " run --out " + out.string());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("runs in at most 1 process"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST(MpiRun, BadConfigIsReportedOnceAndEveryRankExitsWithTwo) {
  TempDir dir;
  const auto r = run_process(mpirun_command(2) + " run --set run.experiment=describe --set run.seed=-1 --out " +
                             (dir / "m.h5").string());
  EXPECT_NE(r.exit_code, 0);
  std::size_t said = 0;
  for (std::size_t p = r.err.find("out of range"); p != std::string::npos; p = r.err.find("out of range", p + 1)) ++said;
  EXPECT_EQ(said, 1u) << r.err;
}

// Only rank 0 touches the result file; when it cannot (the file exists, --out is a folder, its
// parent is a file), every rank learns it before any collective, rank 0 says why once, and every
// rank exits with 2. Before this, the other ranks waited forever in their next collective.
TEST(MpiRun, AResultPathRank0CannotUseEndsEveryRankWithTwoAndOneMessage) {
  TempDir dir;
  const auto existing = dir / "exists.h5";
  { std::ofstream(existing.string()) << "not a result file"; }
  const std::string run = "timeout -k 5 60 " + mpirun_command(2) +
                          " run --set fl.mode=federated --set fl.clients=2 --set fl.rounds=1 --set data.days=40"
                          " --set data.test_days=4 --set data.val_days=0 --set model.hidden=8 --out ";
  const auto r = run_process(run + existing.string());
  EXPECT_EQ(r.exit_code, 2) << r.err;  // 124 would be the old hang
  std::size_t said = 0;
  for (std::size_t p = r.err.find("already exists"); p != std::string::npos; p = r.err.find("already exists", p + 1))
    ++said;
  EXPECT_EQ(said, 1u) << r.err;
  const auto folder = run_process(run + dir.path().string());
  EXPECT_EQ(folder.exit_code, 2) << folder.err;
  EXPECT_NE(folder.err.find("is a folder; give a file name"), std::string::npos) << folder.err;
  const auto under_file = run_process(run + (existing / "r.h5").string());
  EXPECT_EQ(under_file.exit_code, 2) << under_file.err;
  EXPECT_NE(under_file.err.find("is not a folder"), std::string::npos) << under_file.err;
}

}  // namespace
}  // namespace fedload
