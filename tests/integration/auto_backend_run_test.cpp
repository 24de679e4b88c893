// backend.kind = "auto" end to end: the result file records what was asked for ("auto"), what
// ran and why; without a GPU what runs is the `cpu` backend, and the model is bitwise the one
// backend.kind = "cpu" trains, centralized and federated over two ranks.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "support/mpi_launch.hpp"
#include "support/result_checks.hpp"

namespace fedload {
namespace {

using testing::fedload_binary;
using testing::mpirun_command;
using testing::report_json_field;
using testing::run_process;
using testing::TempDir;

const std::string kTiny =
    " --set data.days=40 --set fl.clients=2 --set data.test_days=5 --set data.val_days=3"
    " --set model.hidden=8 --set train.epochs=2 --set train.batch_size=32";
const std::string kFederated =
    " --set fl.mode=federated --set fl.clients=4 --set fl.rounds=2 --set data.days=40 --set "
    "data.test_days=4"
    " --set data.val_days=0 --set model.hidden=8 --set train.batch_size=32";

// runs `launcher run args`, checks the backend attributes and returns the model's SHA-256
std::string run_and_check(const std::string& launcher, const std::string& args,
                          const std::string& kind, const std::filesystem::path& out) {
  const auto r = run_process(launcher + " run" + args + " --set backend.kind=" + kind + " --out " +
                             out.string());
  EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_EQ(report_json_field(out, "backend_kind"), kind);
  const std::string ran = report_json_field(out, "backend");
  const std::string why = report_json_field(out, "backend_choice");
  if (kind == "auto") {
    EXPECT_NE(ran, "auto");
    EXPECT_NE(r.out.find("fedload: backend.kind = auto chose " + ran + ": "), std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("backend " + ran + " (chosen by auto)"), std::string::npos) << r.out;
    const bool no_gpu = !report_json_field(out, "devices_note").empty();
    if (no_gpu) {
      EXPECT_EQ(ran, "cpu");
      EXPECT_EQ(why.rfind("no GPU visible", 0), 0u) << why;
    }
  } else {
    EXPECT_EQ(ran, kind);
    EXPECT_EQ(why, "backend.kind = " + kind);
  }
  return report_json_field(out, "final_model_sha256");
}

bool gpu_visible(const std::filesystem::path& out) {
  return report_json_field(out, "devices_note").empty();
}

TEST(AutoBackendRun, CentralizedRecordsTheChoiceAndTrainsTheCpuModelWithoutAGpu) {
  TempDir dir;
  const std::string automatic = run_and_check(fedload_binary(), kTiny, "auto", dir / "auto.h5");
  const std::string cpu = run_and_check(fedload_binary(), kTiny, "cpu", dir / "cpu.h5");
  if (gpu_visible(dir / "auto.h5"))
    GTEST_SKIP() << "a GPU is visible: auto may run another backend than cpu";
  EXPECT_EQ(automatic, cpu);
}

TEST(AutoBackendRun, FederatedRanksAgreeAndTrainTheCpuModelWithoutAGpu) {
  TempDir dir;
  const std::string automatic =
      run_and_check(mpirun_command(2), kFederated, "auto", dir / "auto.h5");
  const std::string cpu = run_and_check(fedload_binary(), kFederated, "cpu", dir / "cpu.h5");
  // every rank chose the same backend: no per-rank list in the file
  const auto j = run_process(fedload_binary() + " report --json " + (dir / "auto.h5").string());
  EXPECT_EQ(j.out.find("backend_per_rank"), std::string::npos) << j.out.substr(0, 400);
  if (gpu_visible(dir / "auto.h5"))
    GTEST_SKIP() << "a GPU is visible: auto may run another backend than cpu";
  EXPECT_EQ(automatic, cpu);
}

}  // namespace
}  // namespace fedload
