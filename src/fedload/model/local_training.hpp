#pragma once
// A client's local work in one federated round: a fixed amount of training from the parameters
// the backend holds, with no validation and no early stopping (contrast train_forecaster in
// trainer.hpp). FedProx's proximal term is the optimizer's (OptimizerOptions::prox_mu with the
// backend's set_prox_center); FedNova reads the number of steps taken.
#include <cstddef>
#include <cstdint>

#include "fedload/kernels/backend.hpp"
#include "fedload/model/shuffled_batches.hpp"  // Rows

namespace fedload::model {

struct LocalTrainOptions {
  int epochs = 1;                 // passes over the training rows (used when steps == 0)
  std::int64_t steps = 0;         // > 0: exactly this many optimizer steps, batches taken from
                                  // successive seeded epoch permutations (wrapping around)
  int batch = 32;                 // capped at the backend's dims().B
  kernels::LossKind loss = kernels::LossKind::kMse;
  kernels::OptimizerOptions optimizer;  // prox_mu > 0: the backend's prox center must be set
  std::uint64_t seed = 0;         // shuffling of local epoch e uses CounterRng(seed, stream + e)
  std::uint64_t stream = 0;       //   (the caller derives stream from client id and round)
};

struct LocalTrainResult {
  std::int64_t steps = 0;         // optimizer steps taken (FedNova's tau)
  std::size_t rows_visited = 0;   // sum of batch sizes
  double mean_loss = 0.0;         // mean training loss over the steps, weighted by batch size
  double seconds = 0.0;
};

// The number of optimizer steps local_train takes: o.steps when > 0, else
// o.epochs * ceil(n / min(o.batch, B)).
std::int64_t local_train_steps(std::size_t n, int B, const LocalTrainOptions& o);

// The backend holds the starting parameters (set_params already called); trains them in place.
// Rows X [n][T][I], Y [n][O] with the backend's T, I, O; n >= 1. InputError for n == 0,
// batch < 1, steps < 0 or (steps == 0 and) epochs < 1. A non-finite loss throws fedload::Error
// naming the step (the caller adds client and rank); the parameters are then those before that
// step. Deterministic: the same inputs give bitwise the same parameters on the same backend.
LocalTrainResult local_train(kernels::ForecasterBackend& backend, Rows train, const LocalTrainOptions& o);

}  // namespace fedload::model
