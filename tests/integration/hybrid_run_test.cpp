// model.kind = "hybrid" end to end: a federated run gives the same final model on one process
// and on three ranks; the online correction adds a hybrid_corrected method to the metrics
// table; a GPU backend is refused with exit 2; a centralized hybrid run works; and the default
// model is unchanged (the quickstart's 3-round model SHA of before the hybrid model existed).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "support/mpi_launch.hpp"
#include "support/result_checks.hpp"

namespace fedload {
namespace {

using testing::fedload_binary;
using testing::mpirun_command;
using testing::ProcessResult;
using testing::python_check;
using testing::report_json_field;
using testing::run_process;
using testing::TempDir;

const std::string kHybrid =
    " --set fl.mode=federated --set fl.clients=4 --set fl.rounds=2 --set data.days=63 --set data.test_days=5"
    " --set data.val_days=0 --set data.stride=4 --set model.kind=hybrid --set model.hidden=6"
    " --set model.hybrid_clusters=2 --set train.batch_size=32 --set train.lr=0.02";

ProcessResult hybrid_run(const std::string& launcher, const std::string& args, const std::filesystem::path& out) {
  return run_process(launcher + " run" + kHybrid + args + " --out " + out.string());
}

TEST(HybridRun, SameModelOnOneAndThreeRanksWithCorrectedForecastsRecorded) {
  TempDir dir;
  const std::string corr = " --set model.correction=true --set model.correction_steps=3";
  auto r = hybrid_run(fedload_binary(), corr, dir / "h1.h5");
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  r = hybrid_run(mpirun_command(3), corr, dir / "h3.h5");
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  const std::string sha = report_json_field(dir / "h1.h5", "final_model_sha256");
  EXPECT_EQ(report_json_field(dir / "h3.h5", "final_model_sha256"), sha);
  EXPECT_NE(r.out.find("hybrid_corrected"), std::string::npos) << r.out;
  // the methods of the metrics table; the corrected forecasts differ from the uncorrected ones
  // and are the same on both placements
  EXPECT_TRUE(python_check({dir / "h1.h5", dir / "h3.h5"}, R"PY(
a, b = (fedload_h5.load(p) for p in sys.argv[1:3])
m = a['tables']['metrics']
assert list(dict.fromkeys(m['method'])) == ['hybrid', 'hybrid_corrected', 'naive_daily', 'naive_weekly', 'ridge'], m['method']
assert a['attrs']['model_kind'] == 'hybrid'
assert 'sim_1' in list(a['attrs']['features']) and 'month' in list(a['attrs']['features'])
assert any(s.startswith('head_f.w ') for s in a['attrs']['model_layout'])
h, c = np.asarray(a['arrays']['forecast/hybrid']), np.asarray(a['arrays']['forecast/hybrid_corrected'])
assert h.shape == c.shape and not np.array_equal(h, c)
assert np.isfinite(a['attrs']['hybrid_corrected_mape'])
order = lambda r: np.lexsort((np.asarray(r['arrays']['forecast/origin']), np.asarray(r['arrays']['forecast/client'])))
assert np.array_equal(c[order(a)], np.asarray(b['arrays']['forecast/hybrid_corrected'])[order(b)])
)PY"));
}

TEST(HybridRun, AGpuBackendIsRefusedWithExitTwo) {
  TempDir dir;
  for (const char* kind : {"cuda", "cudnn"}) {
    const auto r = hybrid_run(fedload_binary(), std::string(" --set backend.kind=") + kind, dir / (std::string(kind) + ".h5"));
    EXPECT_EQ(r.exit_code, 2) << kind << "\n" << r.err;
    EXPECT_NE(r.err.find("model.kind = \"hybrid\" runs on the CPU only"), std::string::npos) << r.err;
  }
}

TEST(HybridRun, CentralizedHybridTrainsAndTheDefaultModelIsUnchanged) {
  TempDir dir;
  const auto c = hybrid_run(fedload_binary(),
                            " --set fl.mode=centralized --set train.epochs=2 --set data.val_days=7"
                            " --set model.correction=true",
                            dir / "central.h5");
  ASSERT_EQ(c.exit_code, 0) << c.err << c.out;
  EXPECT_NE(c.out.find("hybrid_corrected"), std::string::npos) << c.out;
  const auto q = run_process(fedload_binary() + " run --config " + FEDLOAD_SOURCE_DIR +
                             "/jobs/configs/quickstart.toml --set fl.rounds=3 --out " + (dir / "q.h5").string());
  ASSERT_EQ(q.exit_code, 0) << q.err;
  EXPECT_EQ(report_json_field(dir / "q.h5", "final_model_sha256"),
            "52ed2f1588549b88cb2a5303f106c9e7529661721137e7c4c06b28bb0514937c");
}

// 63 days of hourly load from 2023-01-02; `last_day_bump` is added to the last day only
void write_load_csv(const std::filesystem::path& path, double last_day_bump) {
  FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fprintf(f, "date,load\n");
  for (int t = 0; t < 63 * 24; ++t) {
    const int day = t / 24, hour = t % 24;
    const double v = 20 + 5 * std::sin(hour * 0.2618) + (day % 7 < 5 ? 3 : 0) + 0.01 * day +
                     (day == 62 ? last_day_bump : 0.0);
    std::fprintf(f, "2023-%02d-%02d %02d:00,%.4f\n", day < 30 ? 1 : day < 58 ? 2 : 3,
                 day < 30 ? day + 2 : day < 58 ? day - 29 : day - 57, hour, v);
  }
  std::fclose(f);
}

// The correction uses a day's load only once it has been observed: changing the last test day
// changes its actuals, and no corrected (or uncorrected) forecast of any test day.
TEST(HybridRun, OnlineCorrectionNeverSeesALoadBeforeItIsObserved) {
  TempDir dir;
  write_load_csv(dir / "a.csv", 0.0);
  write_load_csv(dir / "b.csv", 4.0);
  const std::string args =
      " run --set data.source=csv --set data.test_days=5 --set data.val_days=7 --set data.stride=3"
      " --set model.kind=hybrid --set model.hidden=6 --set model.hybrid_clusters=2 --set train.epochs=2"
      " --set model.correction=true --set model.correction_steps=3 --set train.batch_size=16";
  for (const char* name : {"a", "b"}) {
    const auto r = run_process(fedload_binary() + args + " --set data.path=" + (dir / (std::string(name) + ".csv")).string() +
                               " --out " + (dir / (std::string(name) + ".h5")).string());
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  }
  EXPECT_TRUE(python_check({dir / "a.h5", dir / "b.h5"}, R"PY(
a, b = (fedload_h5.load(p)['arrays'] for p in sys.argv[1:3])
assert a['forecast/actual'].shape[0] == 5
assert not np.array_equal(a['forecast/actual'][-1], b['forecast/actual'][-1])
assert np.array_equal(a['forecast/actual'][:-1], b['forecast/actual'][:-1])
for m in ('hybrid', 'hybrid_corrected'):
    assert np.array_equal(a['forecast/' + m], b['forecast/' + m]), m
assert not np.array_equal(a['forecast/hybrid'], a['forecast/hybrid_corrected'])
)PY"));
}

}  // namespace
}  // namespace fedload
