#pragma once
// Looks at a finished fedload result file from outside, as a user would: one field of
// `fedload report --json`, or a Python snippet over analysis/fedload_h5.py.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "support/run_process.hpp"

namespace fedload::testing {

// The value of `key` in `fedload report --json FILE` as text (a string without its quotes), e.g.
// report_json_field(out, "final_model_sha256"). A report that fails or lacks the key is a test
// failure (and gives "").
inline std::string report_json_field(const std::filesystem::path& file, const std::string& key) {
  const auto j = run_process(fedload_binary() + " report --json " + file.string());
  const std::string quoted_key = "\"" + key + "\": ";
  const auto p = j.out.find(quoted_key);
  if (j.exit_code != 0 || p == std::string::npos) {
    ADD_FAILURE() << "no \"" << key << "\" in fedload report --json " << file << " (exit "
                  << j.exit_code << ")\n"
                  << j.err << j.out.substr(0, 400);
    return "";
  }
  const auto start = p + quoted_key.size();
  if (j.out[start] == '"') return j.out.substr(start + 1, j.out.find('"', start + 1) - start - 1);
  return j.out.substr(start, j.out.find_first_of(",}] \n", start) - start);
}

// `LAUNCHER run ARGS --out OUT`, which must succeed (a test failure otherwise), and the final
// model's SHA-256 from its report: the placement-independence tests compare these.
inline std::string run_final_sha(const std::string& launcher, const std::string& args,
                                 const std::filesystem::path& out) {
  const auto r = run_process(launcher + " run" + args + " --out " + out.string());
  EXPECT_EQ(r.exit_code, 0) << launcher << args << "\n" << r.err << r.out;
  return report_json_field(out, "final_model_sha256");
}

// Runs `script` with the distribution's python3 (FEDLOAD_SYSTEM_PYTHON) and the shell words `args`.
inline ProcessResult run_python(const std::string& script, const std::string& args) {
  TempDir dir;
  const auto file = dir.write("script.py", script);
  return run_process(std::string(FEDLOAD_SYSTEM_PYTHON) + " " + file + " " + args);
}

// Runs the Python asserts in `body` with sys, math, numpy as np and fedload_h5 imported,
// sys.argv[1:] = `files` and r = fedload_h5.load(files[0]); passes when every assert holds.
// EXPECT_TRUE(python_check({out}, "assert r['complete']")).
inline ::testing::AssertionResult python_check(const std::vector<std::filesystem::path>& files,
                                               const std::string& body) {
  const std::string script = "import sys, math\nimport numpy as np\nsys.path.insert(0, '" +
                             std::string(FEDLOAD_SOURCE_DIR) + "/analysis')\nimport fedload_h5\n" +
                             "r = fedload_h5.load(sys.argv[1])\n" + body +
                             "\nprint('python-check-ok')\n";
  std::string args;
  for (const auto& f : files) args.append(" ").append(f.string());
  const auto c = run_python(script, args);
  if (c.exit_code == 0 && c.out.find("python-check-ok") != std::string::npos)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "the Python check failed (exit " << c.exit_code << ")\n"
                                       << c.err << c.out;
}

}  // namespace fedload::testing
