#include "fedload/app/experiment.hpp"

#include "fedload/core/error.hpp"

namespace fedload::app {

std::unique_ptr<Experiment> make_describe_experiment();
std::unique_ptr<Experiment> make_forecast_experiment(const Config& config);
std::unique_ptr<Experiment> make_federated_experiment(const Config& config, const comm::MpiSession& mpi);

std::unique_ptr<Experiment> make_experiment(const Config& config, const comm::MpiSession& mpi) {
  const std::string& kind = config.get_string("run.experiment");
  if (kind == "describe") return make_describe_experiment();
  if (kind == "forecast") {
    const std::string& mode = config.get_string("fl.mode");
    if (mode == "federated") return make_federated_experiment(config, mpi);
    if (mode == "centralized") return make_forecast_experiment(config);
    throw_input_error("fl.mode = \"{}\" is not implemented", mode);
  }
  throw_input_error("run.experiment = \"{}\" is not implemented", kind);
}

}  // namespace fedload::app
