#pragma once
// An experiment is what `fedload run` runs between creating the result file and marking it
// complete. It declares the tables and arrays it will fill before the file exists (SWMR mode
// cannot add objects later), then runs, appending rows as it goes.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "fedload/comm/mpi_session.hpp"
#include "fedload/core/config.hpp"
#include "fedload/core/error.hpp"
#include "fedload/core/phase_timer.hpp"
#include "fedload/io/attribute.hpp"
#include "fedload/io/result_reader.hpp"
#include "fedload/io/result_schema.hpp"
#include "fedload/io/result_writer.hpp"

namespace fedload::app {

struct ExperimentContext {
  const Config& config;
  const comm::MpiSession& mpi;
  io::ResultWriter* writer;  // rank 0 only; nullptr elsewhere
  // Collective (every rank calls it at the same point): moves the phase samples gathered so far
  // from every rank into the timing table and clears them. Experiments with rounds call it once
  // per round so a killed run keeps the timing of the rounds it finished.
  std::function<void(std::vector<PhaseSample>&)> flush_timing;
  // `fedload run --resume OLD.h5`: the file being continued (every rank), after resume() accepted it
  const io::ResultReader* resumed_from = nullptr;
};

class Experiment {
 public:
  virtual ~Experiment() = default;
  virtual std::string name() const = 0;
  // Largest MPI job it runs in (checked before anything is built or written).
  virtual int max_ranks() const { return 1 << 30; }
  // Prepares everything that decides the file's shape (data, model size) and declares it.
  virtual void declare(io::ResultSchema& schema, io::AttributeList& attributes) = 0;
  // `--resume`: checks that `old` holds a checkpoint this experiment can continue from and loads
  // it (every rank, after declare(), before the new file exists; InputError when it cannot).
  // run() then starts after the checkpoint and first copies the history up to it.
  virtual void resume(const io::ResultReader& old) {
    (void)old;
    throw_input_error("experiment \"{}\" cannot resume a run (only fl.mode = \"federated\" writes checkpoints)", name());
  }
  // Runs; appends rows through ctx.writer on rank 0; phase times go to `phases`.
  virtual void run(ExperimentContext& ctx, std::vector<PhaseSample>& phases) = 0;
  // Attributes set when the file is marked complete (final metrics, model hash ...).
  virtual io::AttributeList final_attributes() const { return {}; }
  // Lines for the summary printed at the end of `fedload run`.
  virtual std::vector<std::string> summary() const { return {}; }
};

// Chooses the experiment the config asks for (the MPI job decides where clients run).
std::unique_ptr<Experiment> make_experiment(const Config& config, const comm::MpiSession& mpi);

}  // namespace fedload::app
