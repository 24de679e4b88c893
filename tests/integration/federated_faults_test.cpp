// A client that fails stops the whole federated job promptly, with a message naming the rank,
// the host and the client; no rank is left waiting; the result file stays readable, marked
// incomplete, and holds every round before the failure. Each case is made real by the test-only
// [debug] fault injection: an exception in local training, NaN inputs (the loss check fires),
// an Inf parameter (the update check fires), a NaN in the windows at set-up (validation fires),
// a process that dies without a word to MPI (_exit or SIGKILL), and one that hangs (ended by
// run.stall_timeout).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "support/mpi_launch.hpp"

namespace fedload {
namespace {

using testing::fedload_binary;
using testing::mpirun_command;
using testing::ProcessResult;
using testing::run_process;
using testing::TempDir;

// 12 clients, all selected every round (so the fault's round is the round it strikes in), 3 ranks
// host 4 each: clients 0-3 on rank 0, 4-7 on rank 1, 8-11 on rank 2
const std::string kSmall =
    " --set fl.mode=federated --set fl.clients=12 --set fl.rounds=3 --set fl.selection=all"
    " --set fl.work_variation=0.5 --set data.days=40 --set data.test_days=4 --set data.val_days=0"
    " --set model.hidden=8 --set train.batch_size=32 --set train.lr=0.01";

// the whole command may take this long; a hang shows as timeout's exit code 124
constexpr int kBoundSeconds = 60;

std::string host_name() {
  char h[256] = {};
  ::gethostname(h, sizeof h - 1);
  return h;
}

// what the test-only [debug] fault injection does, to which client, in which round
struct Fault {
  std::string kind;
  int client = 0, round = 0;

  std::string args() const {
    return " --set debug.fault=" + kind + " --set debug.fault_client=" + std::to_string(client) +
           " --set debug.fault_round=" + std::to_string(round);
  }
};

struct TimedRun {
  ProcessResult r;
  double seconds = 0;
};

// ranks == 0: without mpirun (an MPI singleton)
TimedRun run_bounded(int ranks, const Fault& f, const std::filesystem::path& out) {
  const std::string bound = "timeout -k 5 " + std::to_string(kBoundSeconds) + " ";
  const std::string launcher = bound + (ranks == 0 ? fedload_binary() : mpirun_command(ranks));
  const auto start = std::chrono::steady_clock::now();
  TimedRun t;
  t.r = run_process(launcher + " run" + kSmall + f.args() + " --out " + out.string());
  t.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("    %-40s exit %3d in %.2f s\n", f.args().c_str(), t.r.exit_code, t.seconds);
  return t;
}

void expect_finished_in_time(const TimedRun& t) {
  EXPECT_NE(t.r.exit_code, 124) << "timed out after " << kBoundSeconds << " s: a rank hung\n" << t.r.err;
  EXPECT_LT(t.seconds, kBoundSeconds);
}

// `fedload report` reads the file, calls it incomplete and shows exactly the rounds before `fault_round`
void expect_incomplete_with_rounds_before(const std::filesystem::path& out, int fault_round) {
  ASSERT_TRUE(std::filesystem::exists(out)) << out;
  const auto rep = run_process(fedload_binary() + " report " + out.string());
  ASSERT_EQ(rep.exit_code, 0) << rep.err << rep.out;
  EXPECT_NE(rep.out.find("INCOMPLETE RUN"), std::string::npos) << rep.out;
  const std::string n = std::to_string(fault_round - 1);
  EXPECT_NE(rep.out.find("last row of rounds (row " + n + " of " + n + ")"), std::string::npos) << rep.out;
}

// A fault that strikes during training, on `ranks` ranks (0: without mpirun): the job ends within
// the bound, stderr says "rank R of N (host H): client C, round K: <what>", and the result file is
// readable, incomplete and holds the rounds before K. The exit code is the caller's to check.
TimedRun expect_job_ended_by(int ranks, const Fault& f, int failing_rank, const std::string& what) {
  TempDir dir;
  const auto out = dir / "f.h5";
  const auto t = run_bounded(ranks, f, out);
  expect_finished_in_time(t);
  const std::string message = "rank " + std::to_string(failing_rank) + " of " + std::to_string(std::max(ranks, 1)) +
                              " (host " + host_name() + "): client " + std::to_string(f.client) + ", round " +
                              std::to_string(f.round) + (what.empty() ? "" : ": " + what);
  EXPECT_NE(t.r.err.find(message), std::string::npos) << message << "\n" << t.r.err;
  expect_incomplete_with_rounds_before(out, f.round);
  return t;
}

TEST(FederatedFaults, ExceptionInLocalTrainingOnRank1EndsTheJobWithExit1) {
  const auto t = expect_job_ended_by(3, {.kind = "exception", .client = 5, .round = 2}, 1, "injected fault");
  EXPECT_EQ(t.r.exit_code, 1) << t.r.err;  // a run-time failure; MPI_Abort(1) becomes mpirun's status
  EXPECT_NE(t.r.out.find("round    1/3"), std::string::npos) << t.r.out;
  EXPECT_EQ(t.r.out.find("round    2/3"), std::string::npos) << t.r.out;
}

TEST(FederatedFaults, NanInputsOnRank2TripTheLossCheck) {
  const auto t =
      expect_job_ended_by(3, {.kind = "nan_loss", .client = 9, .round = 3}, 2, "local training: non-finite loss");
  EXPECT_EQ(t.r.exit_code, 1) << t.r.err;
}

TEST(FederatedFaults, InfParameterOnRank0IsCaughtBeforeAggregation) {
  const auto t =
      expect_job_ended_by(3, {.kind = "inf_update", .client = 2, .round = 2}, 0, "local training diverged");
  EXPECT_EQ(t.r.exit_code, 1) << t.r.err;
  // the loss was finite: the update's norm is what gives it away
  EXPECT_NE(t.r.err.find("update norm inf"), std::string::npos) << t.r.err;
}

TEST(FederatedFaults, NonFiniteWindowIsRefusedAtSetUpWithExit2AndNoFile) {
  TempDir dir;
  const auto out = dir / "f.h5";
  const auto t = run_bounded(3, {.kind = "bad_data", .client = 5, .round = 1}, out);
  expect_finished_in_time(t);
  EXPECT_EQ(t.r.exit_code, 2) << t.r.err;  // bad data is bad input; every rank agrees before the file exists
  EXPECT_NE(t.r.err.find("rank 1 (host " + host_name() + "): client 5: training window 0 (origin "),
            std::string::npos)
      << t.r.err;
  EXPECT_NE(t.r.err.find("holds nan at input step 24 of 24, feature 0"), std::string::npos) << t.r.err;
  EXPECT_EQ(t.r.out.find("round    1/3"), std::string::npos) << t.r.out;
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST(FederatedFaults, RankThatExitsAbruptlyEndsTheJob) {
  const auto t =
      expect_job_ended_by(3, {.kind = "rank_exit", .client = 9, .round = 2}, 2, "the process ends now");
  EXPECT_EQ(t.r.exit_code, 3) << t.r.err;  // the launcher passes on the dead process's status
}

TEST(FederatedFaults, KilledRankEndsTheJob) {
  const auto t =
      expect_job_ended_by(3, {.kind = "rank_kill", .client = 5, .round = 2}, 1, "the process raises SIGKILL");
  EXPECT_NE(t.r.exit_code, 0) << t.r.err;
}

TEST(FederatedFaults, WriterRankThatDiesAbruptlyLeavesAReadableFile) {
  // client 1 lives on rank 0
  const auto t = expect_job_ended_by(3, {.kind = "rank_exit", .client = 1, .round = 3}, 0, "");
  EXPECT_EQ(t.r.exit_code, 3) << t.r.err;
}

TEST(FederatedFaults, WithoutMpirunTheSameMessageAndFile) {
  const auto t =
      expect_job_ended_by(0, {.kind = "nan_loss", .client = 5, .round = 2}, 0, "local training: non-finite loss");
  EXPECT_EQ(t.r.exit_code, 1) << t.r.err;
  EXPECT_NE(t.r.err.find("fedload: error on rank 0 of 1 (host "), std::string::npos) << t.r.err;

  TempDir dir;
  const auto bad = run_bounded(0, {.kind = "bad_data", .client = 7, .round = 1}, dir / "b.h5");
  EXPECT_EQ(bad.r.exit_code, 2) << bad.r.err;
  EXPECT_NE(bad.r.err.find("rank 0 (host " + host_name() + "): client 7: training window 0"), std::string::npos)
      << bad.r.err;
}

// A rank that hangs (here: local training that sleeps forever) holds no lock another rank could
// notice; only run.stall_timeout ends the job. The hung rank's watchdog fires first (the others
// wait in a collective, which gets twice the timeout), so the message names the stuck client.
TEST(FederatedFaults, HungRankIsEndedByTheStallTimeoutNamingTheStuckClient) {
  TempDir dir;
  const auto out = dir / "f.h5";
  const Fault f{.kind = "hang", .client = 5, .round = 2};
  const auto start = std::chrono::steady_clock::now();
  const auto r = run_process("timeout -k 5 " + std::to_string(kBoundSeconds) + " " + mpirun_command(3) + " run" +
                             kSmall + f.args() + " --set run.stall_timeout=2 --out " + out.string());
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_NE(r.exit_code, 124) << "timed out: the watchdog did not end the job\n" << r.err;
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_LT(seconds, kBoundSeconds);
  const std::string message = "fedload: error on rank 1 of 3 (host " + host_name() + "): no progress for ";
  EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("(run.stall_timeout = 2); last progress: local_train of client 5 (round 2); ending the job"),
            std::string::npos)
      << r.err;
  expect_incomplete_with_rounds_before(out, f.round);
}

// A healthy run is not "stuck" because one phase lasts longer than the timeout: every optimizer
// step is a heartbeat. Here each centralized epoch (~2.5 s on two years of data) outlasts S = 1.5,
// with a wide margin between heartbeats (milliseconds) and S for a loaded machine.
TEST(FederatedFaults, StallTimeoutSparesATrainingPhaseLongerThanItself) {
  TempDir dir;
  const auto r = run_process("timeout -k 5 " + std::to_string(kBoundSeconds) + " " + fedload_binary() +
                             " run --config " + std::string(FEDLOAD_SOURCE_DIR) +
                             "/jobs/configs/centralized_quickstart.toml --set train.epochs=3 --set train.patience=0"
                             " --set data.days=730 --set run.stall_timeout=1.5 --out " + (dir / "c.h5").string());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("no progress"), std::string::npos) << r.err;
}

TEST(FederatedFaults, FaultForAClientTheRunDoesNotHaveIsAnInputError) {
  TempDir dir;
  const auto out = dir / "f.h5";
  const auto t = run_bounded(0, {.kind = "exception", .client = 12, .round = 1}, out);
  EXPECT_EQ(t.r.exit_code, 2) << t.r.err;
  EXPECT_NE(t.r.err.find("debug.fault_client = 12 but the run has 12 clients"), std::string::npos) << t.r.err;
  EXPECT_FALSE(std::filesystem::exists(out));
}

}  // namespace
}  // namespace fedload
