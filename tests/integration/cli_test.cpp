// The fedload command line as a user meets it: help, version, exit codes, config errors with
// their location, --set, result files, report, and the README's config table.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/run_process.hpp"

namespace fedload {
namespace {

using testing::fedload_binary;
using testing::run_process;
using testing::TempDir;

// the file/CLI behaviour is the same for every experiment; "describe" runs in a fraction of a second
const std::string kQuick = " --set run.experiment=describe";

void write_file(const std::filesystem::path& p, const std::string& text) {
  std::ofstream(p) << text;
}

TEST(Cli, HelpListsTheSubcommands) {
  const auto r = run_process(fedload_binary() + " --help");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  for (const char* word : {"run", "report", "config", "Exit codes"})
    EXPECT_NE(r.out.find(word), std::string::npos) << word << "\n" << r.out;
  const auto run_help = run_process(fedload_binary() + " run --help");
  EXPECT_EQ(run_help.exit_code, 0);
  for (const char* word : {"--config", "--set", "--out"})
    EXPECT_NE(run_help.out.find(word), std::string::npos) << word << "\n" << run_help.out;
}

TEST(Cli, VersionNamesVersionCommitAndBackends) {
  const auto r = run_process(fedload_binary() + " --version");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("fedload 0."), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("commit "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("cpu_reference"), std::string::npos) << r.out;
}

TEST(Cli, BadCommandLineExitsWithTwo) {
  for (const char* args : {" run --no-such-flag", " frobnicate", " report", " run --config /nonexistent.toml"}) {
    const auto r = run_process(fedload_binary() + args);
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.err;
    EXPECT_FALSE(r.err.empty()) << args;
  }
}

TEST(Cli, ConfigErrorsNameFileLineAndKeyAndLeaveNoFile) {
  TempDir dir;
  const auto cfg = dir / "bad.toml";
  const auto out = dir / "r.h5";
  const struct {
    const char* toml;
    const char* expect;
  } cases[] = {
      {"[run]\nseed = 1\nnmae = \"x\"\n", "bad.toml:3: unknown config key 'run.nmae' (did you mean 'run.name'?)"},
      {"[run]\n\nseed = \"one\"\n", "bad.toml:3: config key 'run.seed': expected a integer, found a string"},
      {"[run]\nseed = -4\n", "bad.toml:2: config key 'run.seed': value -4 is out of range"},
      {"[nosuch]\nx = 1\n", "unknown config section [nosuch]"},
      {"[run]\nseed = \n", "bad.toml:2:"},
  };
  for (const auto& c : cases) {
    write_file(cfg, c.toml);
    const auto r = run_process(fedload_binary() + " run --config " + cfg.string() + " --out " + out.string());
    EXPECT_EQ(r.exit_code, 2) << c.toml;
    EXPECT_NE(r.err.find(c.expect), std::string::npos) << "want: " << c.expect << "\ngot: " << r.err;
    EXPECT_FALSE(std::filesystem::exists(out)) << "a result file was left after bad input";
  }
}

TEST(Cli, SetOverridesAreValidatedAndStored) {
  TempDir dir;
  const auto out = dir / "r.h5";
  auto r = run_process(fedload_binary() + " run" + kQuick + " --set run.seed=abc --out " + out.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("run.seed"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out));

  r = run_process(fedload_binary() + " run" + kQuick + " --set run.seed=1234 --set run.name=setcheck --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rep = run_process(fedload_binary() + " report --json " + out.string());
  ASSERT_EQ(rep.exit_code, 0) << rep.err;
  EXPECT_NE(rep.out.find("seed = 1234"), std::string::npos) << "effective config lacks the override";
  EXPECT_NE(rep.out.find("setcheck"), std::string::npos);
  EXPECT_NE(rep.out.find("\"complete\""), std::string::npos);
}

TEST(Cli, RunWritesACompleteFileThatReportAndJsonDescribe) {
  TempDir dir;
  const auto out = dir / "sub" / "r.h5";  // missing folders are created
  const auto r = run_process(fedload_binary() + " run" + kQuick + " --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(out.string()), std::string::npos) << r.out;
  ASSERT_TRUE(std::filesystem::exists(out));

  const auto json_path = dir / "r.json";
  const auto j = run_process(fedload_binary() + " report --json " + out.string());
  ASSERT_EQ(j.exit_code, 0) << j.err;
  write_file(json_path, j.out);
  // the JSON must parse, carry the status, the config and the environment
  const auto check = run_process(std::string(FEDLOAD_SYSTEM_PYTHON) + " -c \"import json,sys; d=json.load(open('" +
                                 json_path.string() +
                                 "')); s=json.dumps(d); assert 'complete' in s; assert 'run.name' in s or '[run]' in s; "
                                 "assert 'hosts' in s; print('ok')\"");
  EXPECT_EQ(check.exit_code, 0) << check.err << j.out.substr(0, 2000);
}

TEST(Cli, RefusesToOverwriteAnExistingResult) {
  TempDir dir;
  const auto out = dir / "r.h5";
  write_file(out, "precious");
  const auto r = run_process(fedload_binary() + " run" + kQuick + " --out " + out.string());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find(out.string()), std::string::npos) << r.err;
  EXPECT_EQ(testing::slurp(out), "precious");
  const auto ok = run_process(fedload_binary() + " run" + kQuick + " --set output.overwrite=true --out " + out.string());
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
}

TEST(Cli, ReportOnANonResultFileIsAnInputError) {
  TempDir dir;
  const auto p = dir / "not.h5";
  write_file(p, "this is not HDF5");
  const auto r = run_process(fedload_binary() + " report " + p.string());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find(p.string()), std::string::npos) << r.err;
}

TEST(Cli, ReadmeConfigTableMatchesTheSchema) {
  const auto keys = run_process(fedload_binary() + " config keys --markdown");
  ASSERT_EQ(keys.exit_code, 0) << keys.err;
  const std::string readme = testing::slurp(std::string(FEDLOAD_SOURCE_DIR) + "/README.md");
  const std::string begin = "<!-- config-keys:begin", end = "<!-- config-keys:end -->";
  const auto b = readme.find(begin), e = readme.find(end);
  ASSERT_NE(b, std::string::npos);
  ASSERT_NE(e, std::string::npos);
  const auto body_start = readme.find('\n', b) + 1;
  EXPECT_EQ(readme.substr(body_start, e - body_start), keys.out)
      << "README's config table is stale: regenerate it with `build/fedload config keys --markdown`";
}

// Every config the project ships is valid (keys, types, ranges): a user copying one never starts
// from an error.
// `fedload privacy epsilon` is the runtime's accountant: TF Privacy's MNIST tutorial (q = 256/60000,
// z = 1.12, 60 epochs = 14063 steps, delta 1e-5, classic conversion) gives epsilon 2.92; the
// without-replacement bound at q = 1 is the plain Gaussian's; bad values exit 2.
TEST(Cli, PrivacyEpsilonIsTheRuntimesAccountant) {
  const auto mnist = run_process(fedload_binary() +
                                 " privacy epsilon --q 0.004266666666666667 --z 1.12 --steps 14063 --delta 1e-5"
                                 " --conversion classic --json");
  ASSERT_EQ(mnist.exit_code, 0) << mnist.err;
  const auto at = mnist.out.find("\"epsilon\": ");
  ASSERT_NE(at, std::string::npos) << mnist.out;
  EXPECT_NEAR(std::stod(mnist.out.substr(at + 11)), 2.92, 0.005) << mnist.out;
  // q = 1: no amplification, so both samplings are 3 composed Gaussians
  const auto poisson = run_process(fedload_binary() + " privacy epsilon --q 1 --z 2 --steps 3");
  const auto wor = run_process(fedload_binary() + " privacy epsilon --q 1 --z 2 --steps 3 --sampling without_replacement");
  ASSERT_EQ(poisson.exit_code, 0) << poisson.err;
  ASSERT_EQ(wor.exit_code, 0) << wor.err;
  EXPECT_EQ(poisson.out.substr(0, poisson.out.find(" after")), wor.out.substr(0, wor.out.find(" after")));
  for (const std::string bad : {"--q 1.5 --z 1 --steps 3", "--q 0.1 --z 0 --steps 3", "--q 0.1 --z 1 --steps -1",
                                "--q 0.1 --z 1 --steps 3 --delta 2", "--q 0.1 --z 1 --steps 3 --sampling foo",
                                "--q 0.1 --z 1"}) {
    const auto r = run_process(fedload_binary() + " privacy epsilon " + bad);
    EXPECT_EQ(r.exit_code, 2) << bad << "\n" << r.out << r.err;
  }
}

TEST(Cli, EveryShippedConfigIsValid) {
  std::size_t checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(FEDLOAD_SOURCE_DIR) + "/jobs/configs")) {
    if (entry.path().extension() != ".toml") continue;
    const auto r = run_process(fedload_binary() + " config show --config " + entry.path().string());
    EXPECT_EQ(r.exit_code, 0) << entry.path() << "\n" << r.err;
    ++checked;
  }
  EXPECT_GE(checked, 9u);  // quickstart, centralized_quickstart, etth2_*, strategies_noniid, private_*
}

TEST(Cli, ConfigShowPrintsTheEffectiveConfig) {
  const auto r = run_process(fedload_binary() + " config show --set run.seed=99");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("[run]"), std::string::npos);
  EXPECT_NE(r.out.find("seed = 99"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace fedload
