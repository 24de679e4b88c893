// Resuming a federated run killed with SIGKILL: `fedload run --resume OLD.h5` continues from
// the last checkpoint and ends with the same global model (SHA-256) as the run that was never
// interrupted — also when the continuation runs on a different number of ranks — and its file
// carries the history up to the checkpoint.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "support/mpi_launch.hpp"
#include "support/result_checks.hpp"

namespace fedload {
namespace {

using testing::fedload_binary;
using testing::mpirun_command;
using testing::python_check;
using testing::report_json_field;
using testing::run_process;
using testing::slurp;
using testing::TempDir;

const std::string kRun =
    " --set fl.mode=federated --set fl.clients=6 --set fl.rounds=40 --set fl.selection=fixed --set fl.fraction=0.5"
    " --set fl.work_variation=0.5 --set fl.checkpoint_every=3 --set data.days=30 --set data.test_days=3"
    " --set data.val_days=0 --set model.hidden=8 --set train.batch_size=32 --set train.lr=0.01";

// the final model's SHA-256 and the provenance chain's head
std::string sha_of(const std::filesystem::path& file) {
  return report_json_field(file, "final_model_sha256") + " " + report_json_field(file, "provenance_head_sha256");
}

// starts `fedload run` in one process and SIGKILLs it once its progress shows round `at`
void run_and_kill(const std::filesystem::path& out, const std::filesystem::path& log, int at) {
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const std::string cmd = "exec " + fedload_binary() + " run" + kRun + " --out " + out.string() + " >" + log.string() + " 2>&1";
    execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  char mark[32];
  std::snprintf(mark, sizeof mark, "round %4d/", at);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (slurp(log).find(mark) == std::string::npos && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the run ended before it was killed:\n" << slurp(log);
}

TEST(FederatedResume, KilledRunResumedFromItsCheckpointEndsWithTheUninterruptedModel) {
  TempDir dir;
  const auto full = dir / "full.h5";
  const auto r = run_process(fedload_binary() + " run" + kRun + " --out " + full.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string want = sha_of(full);

  const auto killed = dir / "killed.h5", log = dir / "killed.log";
  run_and_kill(killed, log, 11);
  const auto rep = run_process(fedload_binary() + " report " + killed.string());
  EXPECT_NE(rep.out.find("INCOMPLETE"), std::string::npos) << rep.out;

  // one process continues it, and three ranks continue it again: the same model either way
  const auto resumed = dir / "resumed.h5";
  const auto c = run_process(fedload_binary() + " run --resume " + killed.string() + " --out " + resumed.string());
  ASSERT_EQ(c.exit_code, 0) << c.err << c.out;
  EXPECT_NE(c.out.find("resumed from"), std::string::npos) << c.out;
  EXPECT_EQ(sha_of(resumed), want);
  const auto resumed3 = dir / "resumed3.h5";
  const auto c3 = run_process(mpirun_command(3) + " run --resume " + killed.string() + " --out " + resumed3.string());
  ASSERT_EQ(c3.exit_code, 0) << c3.err << c3.out;
  EXPECT_EQ(sha_of(resumed3), want);
  const auto v = run_process(fedload_binary() + " verify " + resumed3.string());
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;

  // the continued file holds every round once, like the uninterrupted one
  EXPECT_TRUE(python_check({full, resumed}, R"PY(
a, b = r, fedload_h5.load(sys.argv[2])
assert b['complete'] and b['attrs']['resumed_from'].endswith('killed.h5')
assert list(b['tables']['rounds']['round']) == list(range(1, 41)), b['tables']['rounds']['round']
for col in ('selected', 'train_loss', 'mape'):
    assert np.array_equal(a['tables']['rounds'][col], b['tables']['rounds'][col]), col
assert np.array_equal(a['tables']['round_clients']['coefficient'], b['tables']['round_clients']['coefficient'])
assert list(b['arrays']['checkpoint/round']) == list(range(3, 40, 3)), b['arrays']['checkpoint/round']
assert np.array_equal(a['arrays']['checkpoint/model'], b['arrays']['checkpoint/model'])
)PY"));
}

TEST(FederatedResume, RefusesACompleteRunAConfigChangeAndAFileWithoutCheckpoint) {
  TempDir dir;
  const auto done = dir / "done.h5";
  ASSERT_EQ(run_process(fedload_binary() + " run" + kRun + " --set fl.rounds=2 --out " + done.string()).exit_code, 0);
  const auto a = run_process(fedload_binary() + " run --resume " + done.string() + " --out " + (dir / "a.h5").string());
  EXPECT_EQ(a.exit_code, 2);
  EXPECT_NE(a.err.find("complete"), std::string::npos) << a.err;
  const auto b = run_process(fedload_binary() + " run --resume " + done.string() + " --set fl.rounds=5 --out " +
                             (dir / "b.h5").string());
  EXPECT_EQ(b.exit_code, 2);
  EXPECT_NE(b.err.find("--set"), std::string::npos) << b.err;
  // a process that dies in round 2 before any checkpoint (checkpoint_every = 3)
  const auto early = dir / "early.h5";
  const auto e = run_process(fedload_binary() + " run" + kRun +
                             " --set debug.fault=rank_exit --set debug.fault_client=0 --set debug.fault_round=2 --out " +
                             early.string());
  EXPECT_NE(e.exit_code, 0);
  const auto c = run_process(fedload_binary() + " run --resume " + early.string() + " --out " + (dir / "c.h5").string());
  EXPECT_EQ(c.exit_code, 2);
  EXPECT_NE(c.err.find("no checkpoint"), std::string::npos) << c.err;
  for (const char* f : {"a.h5", "b.h5", "c.h5"}) EXPECT_FALSE(std::filesystem::exists(dir / f)) << f;
  // the continued run never writes over the file it continues, even with output.overwrite
  const auto size = std::filesystem::file_size(early);
  const auto same = run_process(fedload_binary() + " run --resume " + early.string() + " --out " + early.string());
  EXPECT_EQ(same.exit_code, 2);
  EXPECT_NE(same.err.find("is the file being resumed"), std::string::npos) << same.err;
  EXPECT_EQ(std::filesystem::file_size(early), size);
}

}  // namespace
}  // namespace fedload
