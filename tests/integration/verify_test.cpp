// `fedload verify` on real federated runs: a run on 1 process and on 3 ranks verifies (with the
// same chain head: the provenance does not depend on the placement); altering one byte of the
// final model, one recorded weight, one applied coefficient or one update hash (in place, with
// h5py) makes verify exit 1 and name the round; a killed run verifies as far as it got and says
// it is incomplete; a file that is not a fedload result is exit 2.
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
using testing::run_process;
using testing::run_python;
using testing::slurp;
using testing::TempDir;

// federated_run_test.cpp's small federation: 12 clients, 6 per round, uneven local work
const std::string kSmall =
    " --set fl.mode=federated --set fl.clients=12 --set fl.selection=fixed --set fl.fraction=0.5"
    " --set fl.work_variation=0.5 --set data.days=40 --set data.test_days=4 --set data.val_days=0"
    " --set model.hidden=8 --set train.batch_size=32 --set train.lr=0.01";

testing::ProcessResult verify(const std::filesystem::path& file, const std::string& flags = "") {
  return run_process(fedload_binary() + " verify" + flags + " " + file.string());
}

std::string head_of(const std::string& verify_output) {
  const auto p = verify_output.find("provenance_head_sha256 = ");
  return p == std::string::npos ? std::string("missing") : verify_output.substr(p + 25, 64);
}

// one alteration of a finished result file, in place, with the distribution's h5py
const char* kTamper = R"PY(
import sys
import h5py
import numpy as np
path, what = sys.argv[1], sys.argv[2]
with h5py.File(path, 'r+') as f:
    def first_row(table, rnd):
        return int(np.nonzero(f[table + '/round'][...] == rnd)[0][0])
    if what == 'model_byte':
        d = f['model/final']
        a = d[...]
        a.view(np.uint8)[4 * 5 + 1] ^= 0x01
        d[...] = a
    elif what == 'weight':
        d = f['provenance_clients/weight']
        a = d[...]
        i = first_row('provenance_clients', 2) + 1
        a[i] = np.nextafter(a[i], 1.0)
        d[...] = a
    elif what == 'coefficient':
        d = f['round_clients/coefficient']
        a = d[...]
        i = first_row('round_clients', 2)
        a[i] = a[i] * 1.5
        d[...] = a
    elif what == 'update_hash':
        d = f['provenance_clients/update_sha256']
        a = d[...]
        i = first_row('provenance_clients', 3) + 2
        a[i, 2] ^= np.int64(1) << np.int64(40)
        d[...] = a
    else:
        sys.exit('unknown alteration ' + what)
print('tampered', what)
)PY";

class VerifyRun : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    const auto one = run_process(fedload_binary() + " run" + kSmall + " --set fl.rounds=3 --out " + one_file().string());
    ASSERT_EQ(one.exit_code, 0) << one.err << one.out;
    const auto three =
        run_process(mpirun_command(3) + " run" + kSmall + " --set fl.rounds=3 --out " + three_file().string());
    ASSERT_EQ(three.exit_code, 0) << three.err << three.out;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static std::filesystem::path one_file() { return *dir_ / "one.h5"; }
  static std::filesystem::path three_file() { return *dir_ / "three.h5"; }

  // a copy of the 3-rank file with one alteration
  static std::filesystem::path tampered(const std::string& what) {
    const auto copy = *dir_ / (what + ".h5");
    std::filesystem::copy_file(three_file(), copy, std::filesystem::copy_options::overwrite_existing);
    const auto r = run_python(kTamper, copy.string() + " " + what);
    EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
    return copy;
  }

  static TempDir* dir_;
};
TempDir* VerifyRun::dir_ = nullptr;

TEST_F(VerifyRun, RunsOnOneProcessAndThreeRanksVerifyWithTheSameHead) {
  const auto a = verify(one_file()), b = verify(three_file());
  EXPECT_EQ(a.exit_code, 0) << a.out << a.err;
  EXPECT_EQ(b.exit_code, 0) << b.out << b.err;
  EXPECT_NE(b.out.find("verdict  OK: 3 rounds"), std::string::npos) << b.out;
  EXPECT_NE(b.out.find("3 records, rounds 1..3"), std::string::npos) << b.out;
  EXPECT_NE(b.out.find("18 clients and coefficients equal the records"), std::string::npos) << b.out;
  EXPECT_NE(head_of(a.out), "missing") << a.out;
  EXPECT_EQ(head_of(a.out), head_of(b.out));  // update and model hashes do not depend on the ranks
}

TEST_F(VerifyRun, OneAlteredByteOrValueIsFoundAndItsRoundNamed) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"model_byte", "final model: SHA-256 differs from round 3's record"},
      {"weight", "round 2: record hash differs"},
      {"coefficient", "round 2: round_clients coefficient of client"},
      {"update_hash", "round 3: record hash differs"},
  };
  for (const auto& [what, message] : cases) {
    const auto r = verify(tampered(what));
    EXPECT_EQ(r.exit_code, 1) << what << "\n" << r.out << r.err;
    EXPECT_NE(r.out.find("verdict  BROKEN: " + message), std::string::npos) << what << "\n" << r.out;
  }
  const auto j = verify(tampered("weight"), " --json");
  EXPECT_EQ(j.exit_code, 1);
  EXPECT_NE(j.out.find("\"ok\": false"), std::string::npos) << j.out;
  EXPECT_NE(j.out.find("\"broken_round\": 2"), std::string::npos) << j.out;
}

TEST_F(VerifyRun, AFileThatIsNotAFedloadResultIsExitTwo) {
  TempDir dir;
  const auto text = dir.write("notes.h5", "not hdf5\n");
  const auto r = verify(text);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_FALSE(r.err.empty());
  const auto missing = verify(dir / "absent.h5");
  EXPECT_EQ(missing.exit_code, 2) << missing.out << missing.err;
}

// starts a long `fedload run` and SIGKILLs it once its progress shows round 4
TEST(VerifyKilledRun, ChecksTheRoundsThatAreThereAndSaysTheFileIsIncomplete) {
  TempDir dir;
  const auto out = dir / "killed.h5", log = dir / "killed.log";
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const std::string cmd = "exec " + fedload_binary() + " run" + kSmall + " --set fl.rounds=5000 --out " +
                            out.string() + " >" + log.string() + " 2>&1";
    execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (slurp(log).find("round    4/") == std::string::npos && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the run ended before it was killed:\n" << slurp(log);

  const auto r = verify(out);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("status   incomplete"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("verdict  OK, incomplete run: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" of 5000 rounds recorded"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("incomplete run: no final model"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace fedload
