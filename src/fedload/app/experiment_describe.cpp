// The "describe" experiment: records the effective config and the environment and nothing
// else. `fedload run --set run.experiment=describe` checks an installation end to end.
#include "fedload/app/experiment.hpp"

namespace fedload::app {
namespace {

class DescribeExperiment final : public Experiment {
 public:
  std::string name() const override { return "describe"; }
  void declare(io::ResultSchema&, io::AttributeList&) override {}
  void run(ExperimentContext&, std::vector<PhaseSample>&) override {}
  std::vector<std::string> summary() const override {
    return {"recorded the effective config and the environment (no training)"};
  }
};

}  // namespace

std::unique_ptr<Experiment> make_describe_experiment() { return std::make_unique<DescribeExperiment>(); }

}  // namespace fedload::app
