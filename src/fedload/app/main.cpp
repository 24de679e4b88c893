// fedload: the command-line front end. Parses the command line with CLI11, dispatches to a
// subcommand and maps errors to exit codes: 0 success, 1 run-time failure, 2 bad input
// (command line, config, data).
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "fedload/app/commands.hpp"
#include "fedload/app/version.hpp"
#include "fedload/core/error.hpp"

int main(int argc, char** argv) {
  using namespace fedload;
  CLI::App cli{"fedload: federated learning of electricity-load forecasters, measured.", "fedload"};
  cli.require_subcommand(0, 1);
  cli.set_version_flag("--version", [] { return app::version_text(); }, "print version, commit and build features");
  cli.footer(
      "Examples:\n"
      "  fedload run --config jobs/configs/quickstart.toml --out results/q.h5\n"
      "  fedload run --set model.hidden=128 --set run.seed=7\n"
      "  fedload report results/q.h5 [--json]\n"
      "  fedload verify results/q.h5 [--json]\n"
      "  fedload config keys --markdown\n"
      "  fedload data inspect ../shared/data/ett/ETTh2.csv\n"
      "  fedload privacy epsilon --q 0.1 --z 1.1 --steps 100 --delta 1e-5\n"
      "Exit codes: 0 ok, 1 run-time failure, 2 bad input (command line, config, data).");

  app::RunArgs run_args;
  for (int i = 0; i < argc; ++i) run_args.argv.emplace_back(argv[i]);
  auto* run = cli.add_subcommand("run", "run an experiment and write one HDF5 result file");
  run->add_option("--config,-c", run_args.config_path, "TOML config file (default: built-in defaults)")
      ->check(CLI::ExistingFile);
  run->add_option("--set,-s", run_args.sets, "override a config key: section.key=value (repeatable)")
      ->allow_extra_args(false);
  run->add_option("--out,-o", run_args.out_path, "result file (default: <output.dir>/<run.name>-<time>.h5)");
  run->add_option("--resume", run_args.resume_path,
                  "continue a federated run killed after a checkpoint: its config, its history up to the last checkpoint, then the remaining rounds, into a new file");

  std::string report_path;
  bool report_json = false;
  auto* report = cli.add_subcommand("report", "summarize a result file (complete or killed)");
  report->add_option("file", report_path, "result file (.h5)")->required();
  report->add_flag("--json", report_json, "print JSON instead of text");

  std::string verify_path;
  bool verify_json = false;
  auto* verify = cli.add_subcommand(
      "verify", "recompute a federated run's provenance hash chain and final model hash (exit 0 OK, 1 broken)");
  verify->add_option("file", verify_path, "result file (.h5)")->required();
  verify->add_flag("--json", verify_json, "print JSON instead of text");

  auto* config = cli.add_subcommand("config", "show the effective config or the list of keys");
  config->require_subcommand(1);
  std::string show_path;
  std::vector<std::string> show_sets;
  auto* show = config->add_subcommand("show", "print the effective config as TOML");
  show->add_option("--config,-c", show_path, "TOML config file")->check(CLI::ExistingFile);
  show->add_option("--set,-s", show_sets, "override a config key: section.key=value")->allow_extra_args(false);
  bool keys_markdown = false;
  auto* keys = config->add_subcommand("keys", "list every config key with type, default and range");
  keys->add_flag("--markdown", keys_markdown, "as the Markdown table used in the README");

  auto* data = cli.add_subcommand("data", "look at load data before using it");
  data->require_subcommand(1);
  std::string inspect_path, inspect_ts;
  std::vector<std::string> inspect_columns;
  double inspect_k = 4.5;
  auto* inspect = data->add_subcommand(
      "inspect", "resolution, span, columns, gaps, duplicates, missing and non-positive values, what cleaning would do");
  inspect->add_option("file", inspect_path, "CSV file")->required();
  inspect->add_option("--timestamp-column", inspect_ts, "timestamp column (default: the first)");
  inspect->add_option("--columns", inspect_columns, "load columns (default: all others)")->delimiter(',');
  inspect->add_option("--k", inspect_k, "outlier threshold factor")->check(CLI::PositiveNumber);

  auto* privacy = cli.add_subcommand("privacy", "differential-privacy accounting without a run");
  privacy->require_subcommand(1);
  app::PrivacyEpsilonArgs eps_args;
  auto* epsilon = privacy->add_subcommand(
      "epsilon", "epsilon of N steps of the sampled Gaussian mechanism (the RDP accountant the runtime uses)");
  epsilon->add_option("--q", eps_args.q, "sampling rate per step (fl.rate; K/N for without_replacement)")->required();
  epsilon->add_option("--z,--sigma", eps_args.z, "noise multiplier: noise std / sensitivity")->required();
  epsilon->add_option("--steps", eps_args.steps, "steps (rounds)")->required();
  epsilon->add_option("--delta", eps_args.delta, "delta of the (epsilon, delta) guarantee (default 1e-5)");
  epsilon->add_option("--sampling", eps_args.sampling, "poisson (default) or without_replacement");
  epsilon->add_option("--conversion", eps_args.conversion, "RDP to (epsilon, delta): balle (default) or classic");
  epsilon->add_flag("--json", eps_args.json, "print JSON instead of text");

  try {
    cli.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return cli.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return cli.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return cli.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "fedload: %s\nRun 'fedload --help' for usage.\n", e.what());
    return 2;
  }

  try {
    if (*run) return app::run_command(run_args, &argc, &argv);
    if (*report) return app::report_command(report_path, report_json);
    if (*verify) return app::verify_command(verify_path, verify_json);
    if (*show) return app::config_show_command(show_path, show_sets);
    if (*keys) return app::config_keys_command(keys_markdown);
    if (*inspect) return app::data_inspect_command(inspect_path, inspect_ts, inspect_columns, inspect_k);
    if (*epsilon) return app::privacy_epsilon_command(eps_args);
    std::cout << cli.help();
    return 0;
  } catch (const Error& e) {
    std::fprintf(stderr, "fedload: error: %s\n", e.what());
    return e.exit_code();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fedload: internal error: %s\n", e.what());
    return 1;
  }
}
