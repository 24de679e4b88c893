#pragma once
// Online correction at forecast time (Lu, Ouyang, Li & Zou 2024): the trained model's output
// layer is fine-tuned on the latest observed load as the test days go by, every other layer
// frozen. Before test day d is forecast from its midnight o, the output layer (the groups named
// head*: head.w and head.b, and the hybrid model's head_f.w) takes `steps` optimizer steps on
// the client's windows (training, validation or test) whose whole horizon was observed before o
// and whose origin lies in the last `days` days (each step: the gradient of the mean loss over
// all of them, computed in batches of at most dims().B); the corrected layer carries over to
// the next day (one optimizer state per client), so the correction follows the load as it
// drifts. No window's target is used before it has been observed.
#include <cstddef>
#include <vector>

#include "fedload/app/forecaster_model.hpp"
#include "fedload/core/config.hpp"
#include "fedload/data/dataset.hpp"
#include "fedload/kernels/backend.hpp"

namespace fedload::app {

struct OnlineCorrection {
  bool on = false;
  int days = 7;
  int steps = 5;
  kernels::OptimizerOptions optimizer;  // train.optimizer with model.correction_lr
  kernels::LossKind loss = kernels::LossKind::kMse;
  std::vector<kernels::ParamSlot> output_layer;  // the groups it tunes (ForecasterModel::output_layer)
};

// model.correction* with train.optimizer / train.loss
OnlineCorrection online_correction_from_config(const Config& c, const ForecasterModel& m);

// The client's test days (test_midnight windows), forecast one after another with the online
// correction above: [days][H], normalized. The backend's parameters are the same on return.
std::vector<float> corrected_test_day_forecasts(const data::ClientDataset& c, std::int64_t resolution_seconds,
                                                kernels::ForecasterBackend& backend, const OnlineCorrection& o);

}  // namespace fedload::app
