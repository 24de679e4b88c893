// The MPI Transport under mpirun with 1, 2, 3 and 5 ranks (oversubscribed): every collective
// gives the exactly known result on every rank (comm_transport_mpi.cpp), rank 0 alone prints
// the report, and a job that fails or hangs is reported rather than waited on forever.
#include <gtest/gtest.h>

#include <string>

#include "support/mpi_launch.hpp"

namespace fedload {
namespace {

using testing::mpirun_command;
using testing::run_process;

std::string mpirun(int ranks) {
  // the variable avoids containers' small shared-memory segments (as jobs/local/env.sh)
  return "timeout 120 env OMPI_MCA_btl_vader_single_copy_mechanism=none " +
         mpirun_command(ranks, FEDLOAD_COMM_MPI_CHECKS) + " --gtest_color=no";
}

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

class TransportUnderMpirun : public ::testing::TestWithParam<int> {};

TEST_P(TransportUnderMpirun, EveryCollectiveGivesTheKnownResultOnEveryRank) {
  const auto r = run_process(mpirun(GetParam()));
  EXPECT_EQ(r.exit_code, 0) << "stdout:\n" << r.out << "\nstderr:\n" << r.err;
  EXPECT_EQ(occurrences(r.out, "[  PASSED  ]"), 1u) << r.out;  // one process prints
  EXPECT_EQ(occurrences(r.out, "FAILED"), 0u) << r.out;
  EXPECT_EQ(occurrences(r.err, "[rank "), 0u) << r.err;
  EXPECT_NE(r.out.find("TransportCheck.Int64ReduceSumIsExact/chunks_of_3"), std::string::npos) << r.out;
}

INSTANTIATE_TEST_SUITE_P(Ranks, TransportUnderMpirun, ::testing::Values(1, 2, 3, 5),
                         [](const ::testing::TestParamInfo<int>& p) { return "np" + std::to_string(p.param); });

}  // namespace
}  // namespace fedload
