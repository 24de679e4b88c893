// `fedload run` under mpirun: every rank validates the config, rank 0 alone writes the file,
// and it records every rank's host and phase times; an experiment that runs in one process
// refuses a larger job before anything is written.
#include <gtest/gtest.h>

#include <filesystem>

#include "support/mpi_launch.hpp"
#include "support/result_checks.hpp"

namespace fedload {
namespace {

using testing::mpirun_command;
using testing::python_check;
using testing::run_process;
using testing::TempDir;

TEST(MpiRun, RankZeroWritesOneFileWithEveryRanksHostAndPhases) {
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

}  // namespace
}  // namespace fedload
