#include "fedload/app/experiment.hpp"

#include "fedload/core/error.hpp"

namespace fedload::app {

std::unique_ptr<Experiment> make_describe_experiment();
std::unique_ptr<Experiment> make_forecast_experiment(const Config& config);

std::unique_ptr<Experiment> make_experiment(const Config& config) {
  const std::string& kind = config.get_string("run.experiment");
  if (kind == "describe") return make_describe_experiment();
  if (kind == "forecast") return make_forecast_experiment(config);
  throw_input_error("run.experiment = \"{}\" is not implemented", kind);
}

}  // namespace fedload::app
