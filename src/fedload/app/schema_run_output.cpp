#include "fedload/app/schema_sections.hpp"

namespace fedload::app {

void add_run_keys(ConfigSchema& s) {
  s.string("run.name", "fedload", "run name; the default result file is `<output.dir>/<name>-<UTC time>.h5`");
  s.integer("run.seed", 42, 0, 9007199254740991.0,
            "master seed: data generation, initialization, shuffling and selection derive from it");
  s.string("run.description", "", "free text stored with the result");
  s.choice("run.experiment", "forecast", {"forecast", "describe"},
           "what `fedload run` does: forecast = train the LSTM, forecast the test days, compare with baselines; describe = record config and environment only");
}

void add_output_keys(ConfigSchema& s) {
  s.string("output.dir", "results", "folder for result files when --out is not given");
  s.boolean("output.overwrite", false, "replace an existing result file instead of refusing");
}

}  // namespace fedload::app
