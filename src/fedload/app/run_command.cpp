// `fedload run`: config -> experiment -> one crash-safe HDF5 result file.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "fedload/app/commands.hpp"
#include "fedload/app/config_schema.hpp"
#include "fedload/app/environment.hpp"
#include "fedload/app/experiment.hpp"
#include "fedload/comm/mpi_session.hpp"
#include "fedload/core/error.hpp"
#include "fedload/io/result_writer.hpp"

namespace fedload::app {
namespace {

Config load_config(const std::string& path, const std::vector<std::string>& sets) {
  Config cfg(fedload_schema());
  if (!path.empty()) cfg.merge_file(path);
  for (const auto& s : sets) cfg.apply_set(s);
  return cfg;
}

std::filesystem::path output_path(const Config& cfg, const std::string& out) {
  if (!out.empty()) return out;
  std::string stamp = io::utc_timestamp_now();  // 2026-11-22T10:04:05Z -> 20261122T100405Z
  std::erase(stamp, '-');
  std::erase(stamp, ':');
  return std::filesystem::path(cfg.get_string("output.dir")) /
         fmt::format("{}-{}.h5", cfg.get_string("run.name"), stamp);
}

void declare_timing(io::ResultSchema& schema, const std::vector<std::string>& phases) {
  schema.table("timing", "wall seconds and bytes per round, rank and phase")
      .int64("round", "", "round (0: set-up before the first round)")
      .int64("rank")
      .category("phase", phases)
      .float64("seconds", "s")
      .int64("bytes_sent", "bytes")
      .int64("bytes_received", "bytes");
}

// phase samples as bytes for the gather to rank 0: per sample, name length, name, seconds, bytes
std::vector<char> encode_phases(const std::vector<PhaseSample>& phases) {
  std::vector<char> out;
  auto put = [&out](const void* p, std::size_t n) {
    out.insert(out.end(), static_cast<const char*>(p), static_cast<const char*>(p) + n);
  };
  for (const auto& p : phases) {
    const std::uint32_t len = static_cast<std::uint32_t>(p.phase.size());
    put(&len, sizeof len);
    put(p.phase.data(), len);
    put(&p.seconds, sizeof p.seconds);
    put(&p.bytes_sent, sizeof p.bytes_sent);
    put(&p.bytes_received, sizeof p.bytes_received);
  }
  return out;
}

std::vector<PhaseSample> decode_phases(const std::vector<char>& bytes) {
  std::vector<PhaseSample> out;
  std::size_t at = 0;
  auto get = [&](void* p, std::size_t n) {
    if (at + n > bytes.size()) throw_runtime_error("phase record from another rank is truncated");
    std::memcpy(p, bytes.data() + at, n);
    at += n;
  };
  while (at < bytes.size()) {
    PhaseSample s;
    std::uint32_t len = 0;
    get(&len, sizeof len);
    s.phase.resize(len);
    get(s.phase.data(), len);
    get(&s.seconds, sizeof s.seconds);
    get(&s.bytes_sent, sizeof s.bytes_sent);
    get(&s.bytes_received, sizeof s.bytes_received);
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace

int run_command(const RunArgs& args, int* argc, char*** argv) {
  comm::MpiSession mpi(argc, argv);
  try {
    std::vector<PhaseSample> phases;
    PhaseTimer setup(phases, "setup");
    const Config cfg = load_config(args.config_path, args.sets);
    auto experiment = make_experiment(cfg);
    if (mpi.size() > experiment->max_ranks())
      throw_input_error("run.experiment = \"{}\" (fl.mode = \"{}\") runs in at most {} process(es), not {}: "
                        "start it without mpirun (the federated runtime over MPI is not built yet)",
                        experiment->name(), cfg.get_string("fl.mode"), experiment->max_ranks(), mpi.size());

    io::ResultSchema schema;
    io::AttributeList attrs = collect_environment(mpi, args.argv);
    attrs.push_back({"config", cfg.to_toml()});
    attrs.push_back({"seed", static_cast<std::int64_t>(cfg.get_int("run.seed"))});
    attrs.push_back({"run_name", cfg.get_string("run.name")});
    attrs.push_back({"description", cfg.get_string("run.description")});
    attrs.push_back({"experiment", experiment->name()});
    experiment->declare(schema, attrs);
    declare_timing(schema, {"setup", "broadcast", "local_train", "update_transform", "communicate",
                            "aggregate", "evaluate", "write"});

    std::optional<io::ResultWriter> writer;
    std::filesystem::path path;
    if (mpi.is_root()) {
      path = output_path(cfg, args.out_path);
      if (!path.parent_path().empty()) std::filesystem::create_directories(path.parent_path());
      writer.emplace(io::ResultWriter::create(path, schema, attrs,
                                              {.overwrite = cfg.get_bool("output.overwrite")}));
    }
    setup.stop();

    ExperimentContext ctx{cfg, mpi, writer ? &*writer : nullptr};
    experiment->run(ctx, phases);

    // every rank's phase times go to rank 0, which alone writes
    const auto all_phases = mpi.gather_to_root(encode_phases(phases));
    if (writer) {
      std::vector<std::vector<PhaseSample>> decoded;  // owns the phase names the rows point at
      for (const auto& bytes : all_phases) decoded.push_back(decode_phases(bytes));
      std::vector<io::Row> rows;
      for (std::size_t r = 0; r < decoded.size(); ++r)
        for (const auto& p : decoded[r])
          rows.push_back({std::int64_t{0}, static_cast<std::int64_t>(r), std::string_view(p.phase), p.seconds,
                          static_cast<std::int64_t>(p.bytes_sent), static_cast<std::int64_t>(p.bytes_received)});
      writer->append_rows("timing", rows);  // one flush for the whole table
      writer->finish(experiment->final_attributes());
      std::printf("fedload: %s finished\n", experiment->name().c_str());
      for (const auto& line : experiment->summary()) std::printf("  %s\n", line.c_str());
      std::printf("result: %s\n", path.string().c_str());
    }
    return 0;
  } catch (const Error& e) {
    if (!mpi.is_root()) return e.exit_code();  // ranks fail alike on bad input; rank 0 says why
    throw;
  }
}

}  // namespace fedload::app
