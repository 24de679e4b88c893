// `fedload run`: config -> experiment -> one crash-safe HDF5 result file.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <system_error>

#include <fmt/format.h>

#include "fedload/app/commands.hpp"
#include "fedload/app/config_schema.hpp"
#include "fedload/app/environment.hpp"
#include "fedload/app/experiment.hpp"
#include "fedload/comm/mpi_session.hpp"
#include "fedload/core/bytes.hpp"
#include "fedload/core/error.hpp"
#include "fedload/core/stall_watchdog.hpp"
#include "fedload/io/result_reader.hpp"
#include "fedload/io/result_writer.hpp"
#include "fedload/kernels/device_info.hpp"

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

// a failure every rank agreed on and one rank has reported: exit with its code
struct RankFailed {
  int code;
};

// phase samples as bytes for the gather to rank 0
std::vector<char> encode_phases(const std::vector<PhaseSample>& phases) {
  ByteWriter w;
  for (const auto& p : phases)
    w.put_string(p.phase).put(p.round).put(p.seconds).put(p.bytes_sent).put(p.bytes_received);
  const auto& b = w.bytes();
  return {reinterpret_cast<const char*>(b.data()), reinterpret_cast<const char*>(b.data()) + b.size()};
}

std::vector<PhaseSample> decode_phases(const std::vector<char>& bytes) {
  std::vector<PhaseSample> out;
  ByteReader r(std::as_bytes(std::span<const char>(bytes)));
  while (!r.done()) {
    PhaseSample s;
    s.phase = r.get_string();
    s.round = r.get<std::int64_t>();
    s.seconds = r.get<double>();
    s.bytes_sent = r.get<std::uint64_t>();
    s.bytes_received = r.get<std::uint64_t>();
    out.push_back(std::move(s));
  }
  return out;
}

// Collective: every rank's phase samples go to rank 0, which appends them to the timing table
// with one flush; the samples are then cleared on every rank.
void flush_timing(const comm::MpiSession& mpi, io::ResultWriter* writer, std::vector<PhaseSample>& phases) {
  if (!mpi.is_root()) note_progress("write: timing to rank 0", 0, true);  // waits while rank 0 writes
  const auto all_phases = mpi.gather_to_root(encode_phases(phases));
  phases.clear();
  if (!writer) return;
  std::vector<std::vector<PhaseSample>> decoded;  // owns the phase names the rows point at
  for (const auto& bytes : all_phases) decoded.push_back(decode_phases(bytes));
  std::vector<io::Row> rows;
  for (std::size_t r = 0; r < decoded.size(); ++r)
    for (const auto& p : decoded[r])
      rows.push_back({p.round, static_cast<std::int64_t>(r), std::string_view(p.phase), p.seconds,
                      static_cast<std::int64_t>(p.bytes_sent), static_cast<std::int64_t>(p.bytes_received)});
  if (!rows.empty()) writer->append_rows("timing", rows);  // one flush for the whole batch
}

io::ResultReader open_for_resume(const RunArgs& args) {
  if (!args.config_path.empty() || !args.sets.empty())
    throw_input_error("--resume continues '{}' with the config stored in it; --config and --set cannot change it",
                      args.resume_path);
  auto old = io::ResultReader::open(args.resume_path);
  if (old.complete()) throw_input_error("'{}' is a complete run: there is nothing to resume", args.resume_path);
  return old;
}

Config config_of(const io::ResultReader& old, const std::string& path) {
  const auto text = old.string_attribute("config");
  if (!text) throw_input_error("'{}' has no config attribute: not a result file fedload run can resume", path);
  Config cfg(fedload_schema());
  cfg.merge_toml(*text, path + " (stored config)");
  return cfg;
}

// A step whose errors can differ between ranks (each reads its own clients' data; only rank 0
// touches the result file): every rank runs `step` (or skips it), then all agree; the lowest
// failing rank says why, every rank exits with its code. Without the agreement, one rank leaving
// would leave the others waiting forever in their next collective.
template <typename Step>
void agreed_step(const comm::MpiSession& mpi, Step&& step) {
  int code = 0;
  std::string message;
  try {
    step();
  } catch (const Error& e) {
    code = e.exit_code();
    message = e.what();
  } catch (const std::exception& e) {  // a library's or the system's (bad_alloc ...): a run-time failure
    code = 1;
    message = e.what();
  }
  const auto agreed = mpi.agree_on_failure(code);  // one rank too: the same line names rank and host
  if (agreed.code == 0) return;
  if (mpi.rank() == agreed.first_failed_rank) {
    std::fprintf(stderr, "fedload: error: rank %d (host %s): %s\n", mpi.rank(), mpi.host().c_str(), message.c_str());
    std::fflush(stderr);
  }
  throw RankFailed{agreed.code};
}

// Refuses, before any data is read, a result path that cannot be created: an existing folder,
// an existing file (unless output.overwrite), a parent that is a file or cannot be made, the
// file being resumed. Creates the parent folders.
void check_output_path(const std::filesystem::path& path, bool overwrite, const std::string& resume_path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw_input_error("result file '{}' is a folder; give a file name", path.string());
  if (!resume_path.empty() && fs::exists(path, ec) && fs::equivalent(path, resume_path, ec))
    throw_input_error("--out '{}' is the file being resumed; the continued run needs a new file", path.string());
  if (fs::exists(path, ec) && !overwrite)
    throw_input_error("result file '{}' already exists; refusing to overwrite it (output.overwrite = true replaces it)",
                      path.string());
  const fs::path parent = path.parent_path();
  if (parent.empty()) return;
  if (fs::exists(parent, ec) && !fs::is_directory(parent, ec))
    throw_input_error("cannot write result file '{}': '{}' is not a folder", path.string(), parent.string());
  fs::create_directories(parent, ec);
  if (ec) throw_input_error("cannot create the folder '{}' for the result file: {}", parent.string(), ec.message());
}

// run.stall_timeout, or FEDLOAD_STALL_TIMEOUT (seconds) when set: the environment overrides the
// config so that a resumed run (whose config is the stored one) can be given another value
double stall_timeout(const Config& cfg) {
  const char* env = std::getenv("FEDLOAD_STALL_TIMEOUT");
  if (!env || !*env) return cfg.get_double("run.stall_timeout");
  char* end = nullptr;
  const double v = std::strtod(env, &end);
  if (end == env || *end != '\0' || !(v >= 0.0 && v <= 1e7) || (v > 0.0 && v < 0.01))
    throw_input_error("FEDLOAD_STALL_TIMEOUT = '{}' must be 0 (off) or a number of seconds in [0.01, 1e7]", env);
  return v;
}

}  // namespace

int run_command(const RunArgs& args, int* argc, char*** argv) {
  comm::MpiSession mpi(argc, argv);
  try {
    std::vector<PhaseSample> phases;
    PhaseTimer setup(phases, "setup");
    std::optional<io::ResultReader> old;
    if (!args.resume_path.empty()) old.emplace(open_for_resume(args));
    const Config cfg = old ? config_of(*old, args.resume_path) : load_config(args.config_path, args.sets);
    std::optional<StallWatchdog> watchdog;
    const double timeout = stall_timeout(cfg);
    if (timeout > 0.0) {
      // its thread only prints and ends the process: an MPI call from it is not allowed, and a
      // rank that vanishes without MPI_Finalize makes the launcher end the whole job
      watchdog.emplace(timeout, [&mpi, timeout](const std::string& last, double idle) {
        std::fprintf(stderr,
                     "fedload: error on rank %d of %d (host %s): no progress for %.1f s (run.stall_timeout = %g); "
                     "last progress: %s; ending the job\n",
                     mpi.rank(), mpi.size(), mpi.host().c_str(), idle, timeout, last.c_str());
        std::fflush(stderr);
        _exit(1);
      });
      note_progress("setup");
    }
    // each rank's GPU, before any backend exists: ranks on a node go round-robin over its devices
    // (agreed: a device that refuses on one rank must not leave the others in a collective).
    // Only when the backend may use a GPU: cudaSetDevice creates a context, so a CPU run on a GPU
    // node would otherwise hold GPU memory on every rank (and fail under exclusive-process mode).
    int device = -1;
    const std::string kind = cfg.get_string("backend.kind");
    if (kind != "cpu" && kind != "cpu_reference")
      agreed_step(mpi, [&] { device = kernels::bind_device(mpi.node_rank()); });
    auto experiment = make_experiment(cfg, mpi);
    if (mpi.size() > experiment->max_ranks())
      throw_input_error("run.experiment = \"{}\" (fl.mode = \"{}\") runs in at most {} process(es), not {}: "
                        "start it without mpirun, or use fl.mode = \"federated\"",
                        experiment->name(), cfg.get_string("fl.mode"), experiment->max_ranks(), mpi.size());

    io::ResultSchema schema;
    io::AttributeList attrs = collect_environment(mpi, args.argv, device);
    attrs.push_back({"config", cfg.to_toml()});
    attrs.push_back({"seed", static_cast<std::int64_t>(cfg.get_int("run.seed"))});
    attrs.push_back({"run_name", cfg.get_string("run.name")});
    attrs.push_back({"description", cfg.get_string("run.description")});
    attrs.push_back({"experiment", experiment->name()});
    attrs.push_back({"stall_timeout", timeout});
    std::filesystem::path path;
    agreed_step(mpi, [&] {
      if (!mpi.is_root()) return;
      path = output_path(cfg, args.out_path);
      check_output_path(path, cfg.get_bool("output.overwrite"), args.resume_path);
    });
    agreed_step(mpi, [&] { experiment->declare(schema, attrs); });
    if (old) {
      agreed_step(mpi, [&] { experiment->resume(*old); });
      attrs.push_back({"resumed_from", args.resume_path});
    }
    declare_timing(schema, {"setup", "broadcast", "local_train", "update_transform", "communicate",
                            "aggregate", "evaluate", "write"});

    std::optional<io::ResultWriter> writer;
    agreed_step(mpi, [&] {
      if (!mpi.is_root()) return;
      writer.emplace(io::ResultWriter::create(path, schema, attrs, {.overwrite = cfg.get_bool("output.overwrite")}));
    });
    setup.stop();

    io::ResultWriter* w = writer ? &*writer : nullptr;
    ExperimentContext ctx{cfg, mpi, w, [&mpi, w](std::vector<PhaseSample>& p) { flush_timing(mpi, w, p); },
                          old ? &*old : nullptr};
    try {
      experiment->run(ctx, phases);
    } catch (const std::exception& e) {
      // one rank failing mid-run would leave the others waiting in a collective: it says who it
      // is and ends the whole job; rank 0's file keeps status "incomplete" and every row flushed
      const int code = dynamic_cast<const Error*>(&e) ? dynamic_cast<const Error&>(e).exit_code() : 1;
      std::fprintf(stderr, "fedload: error on rank %d of %d (host %s): %s\n", mpi.rank(), mpi.size(),
                   mpi.host().c_str(), e.what());
      std::fflush(stderr);
      if (mpi.size() == 1) return code;  // nobody waits: the writer closes on the way out, still "incomplete"
      comm::MpiSession::abort(code);
    }

    // what is left (everything for single-shot experiments; the last round's tail otherwise)
    flush_timing(mpi, writer ? &*writer : nullptr, phases);
    if (writer) {
      writer->finish(experiment->final_attributes());
      std::printf("fedload: %s finished\n", experiment->name().c_str());
      for (const auto& line : experiment->summary()) std::printf("  %s\n", line.c_str());
      std::printf("result: %s\n", path.string().c_str());
    }
    return 0;
  } catch (const RankFailed& f) {
    return f.code;
  } catch (const Error& e) {
    if (!mpi.is_root()) return e.exit_code();  // ranks fail alike on bad config; rank 0 says why
    throw;
  }
}

}  // namespace fedload::app
