#pragma once
// The `fedload` subcommands. Each returns the process exit code; errors are thrown as
// fedload::Error (InputError -> exit 2) and turned into a message by main.
#include <cstdint>
#include <string>
#include <vector>

namespace fedload::app {

struct RunArgs {
  std::string config_path;         // empty: the embedded defaults
  std::vector<std::string> sets;   // "section.key=value"
  std::string out_path;            // empty: <output.dir>/<run.name>-<UTC time>.h5
  std::string resume_path;         // non-empty: continue the run in this file from its last checkpoint
  std::vector<std::string> argv;   // the command line, recorded in the result file
};
int run_command(const RunArgs& args, int* argc, char*** argv);

int report_command(const std::string& path, bool json);
// exit 0: provenance intact, 1: broken (names the first round), 2: not a result with provenance
int verify_command(const std::string& path, bool json);

int config_show_command(const std::string& config_path, const std::vector<std::string>& sets);
int config_keys_command(bool markdown);

// `fedload privacy epsilon`: epsilon of `steps` sampled Gaussian steps (the accountant the runtime
// uses); InputError for values out of range
struct PrivacyEpsilonArgs {
  double q = 1.0, z = 1.0, delta = 1e-5;
  std::int64_t steps = 1;
  std::string sampling = "poisson";  // | "without_replacement"
  std::string conversion = "balle";  // | "classic"
  bool json = false;
};
int privacy_epsilon_command(const PrivacyEpsilonArgs& args);

int data_inspect_command(const std::string& path, const std::string& timestamp_column,
                         const std::vector<std::string>& columns, double k);

}  // namespace fedload::app
