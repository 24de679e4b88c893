#include "fedload/app/schema_sections.hpp"

namespace fedload::app {

void add_run_keys(ConfigSchema& s) {
  s.string("run.name", "fedload", "run name; the default result file is `<output.dir>/<name>-<UTC time>.h5`");
  s.integer("run.seed", 42, 0, 9007199254740991.0,
            "master seed: data generation, initialization, shuffling and selection derive from it");
  s.string("run.description", "", "free text stored with the result");
  s.choice("run.experiment", "forecast", {"forecast", "describe"},
           "what `fedload run` does: forecast = train the LSTM, forecast the test days, compare with baselines; describe = record config and environment only");
  s.real("run.stall_timeout", 0.0, 0.0, 1e7,
         "seconds without progress (no phase started, no client trained) after which a process says where it is stuck and ends the job with exit 1, so a hung rank does not hold the allocation until the time limit; 0 = off");
}

void add_output_keys(ConfigSchema& s) {
  s.string("output.dir", "results", "folder for result files when --out is not given");
  s.boolean("output.overwrite", false, "replace an existing result file instead of refusing");
}

}  // namespace fedload::app
