// `fedload run` under mpirun: every rank validates the config, rank 0 alone writes the file,
// and it records every rank's host and phase times; an experiment that runs in one process
// refuses a larger job before anything is written.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/run_process.hpp"

namespace fedload {
namespace {

using testing::fedload_binary;
using testing::run_process;
using testing::TempDir;

// Open MPI refuses root without these (CI containers run as root); harmless otherwise
std::string mpirun(int ranks) {
  return "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 " + std::string(FEDLOAD_MPIEXEC) +
         " --oversubscribe -np " + std::to_string(ranks) + " " + fedload_binary();
}

TEST(MpiRun, RankZeroWritesOneFileWithEveryRanksHostAndPhases) {
  TempDir dir;
  const auto out = dir / "m.h5";
  const auto r = run_process(mpirun(3) + " run --set run.experiment=describe --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // one process prints
  std::size_t prints = 0;
  for (std::size_t p = r.out.find("result: "); p != std::string::npos; p = r.out.find("result: ", p + 1)) ++prints;
  EXPECT_EQ(prints, 1u) << r.out;
  TempDir py;
  const auto script = py / "check.py";
  std::ofstream(script) << "import sys\nsys.path.insert(0, '" << FEDLOAD_SOURCE_DIR << "/analysis')\n"
                        << "import fedload_h5\nr = fedload_h5.load(sys.argv[1])\n"
                        << "assert r['complete']\nassert int(r['attrs']['ranks']) == 3\n"
                        << "assert len(r['attrs']['hosts']) == 3\n"
                        << "t = r['tables']['timing']\nassert sorted(set(t['rank'].tolist())) == [0, 1, 2], t['rank']\n"
                        << "print('ok')\n";
  const auto c = run_process(std::string(FEDLOAD_SYSTEM_PYTHON) + " " + script.string() + " " + out.string());
  EXPECT_EQ(c.exit_code, 0) << c.err << c.out;
}

TEST(MpiRun, ASingleProcessExperimentRefusesSeveralRanksAndWritesNothing) {
  TempDir dir;
  const auto out = dir / "m.h5";
  const auto r = run_process(mpirun(2) + " run --out " + out.string());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("runs in at most 1 process"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST(MpiRun, BadConfigIsReportedOnceAndEveryRankExitsWithTwo) {
  TempDir dir;
  const auto r = run_process(mpirun(2) + " run --set run.experiment=describe --set run.seed=-1 --out " +
                             (dir / "m.h5").string());
  EXPECT_NE(r.exit_code, 0);
  std::size_t said = 0;
  for (std::size_t p = r.err.find("out of range"); p != std::string::npos; p = r.err.find("out of range", p + 1)) ++said;
  EXPECT_EQ(said, 1u) << r.err;
}

}  // namespace
}  // namespace fedload
