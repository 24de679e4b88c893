#pragma once
// Local training of a forecaster backend over plain arrays: epochs of seeded shuffled batches,
// a validation loss after every epoch, early stopping that restores the best parameters.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "fedload/kernels/backend.hpp"
#include "fedload/model/shuffled_batches.hpp"  // Rows

namespace fedload::model {

struct TrainOptions {
  int epochs = 10;
  int batch = 32;                  // capped at the backend's dims().B
  double validation_fraction = 0.2;  // the LAST rows (in time order) are held out, never shuffled
  int patience = 3;                // epochs without a better validation loss before stopping; 0 = never stop
  kernels::LossKind loss = kernels::LossKind::kMse;
  kernels::OptimizerOptions optimizer;
  std::uint64_t seed = 0;          // shuffling of epoch e uses CounterRng(seed, e)
  bool restore_best = true;        // end with the best epoch's parameters (false: the last epoch's)
  // learning-rate decay on plateau: after lr_decay_patience epochs without a better validation
  // loss, multiply the learning rate by lr_decay (1 = never)
  double lr_decay = 1.0;
  int lr_decay_patience = 2;
};

struct EpochRecord {
  int epoch = 0;
  double train_loss = 0.0;       // mean of the batch losses, weighted by batch size
  double validation_loss = 0.0;  // same loss on the held-out rows (after the epoch's updates)
  double seconds = 0.0;          // wall time of the epoch, validation included
  double lr = 0.0;               // learning rate used in the epoch
};

struct TrainHistory {
  std::vector<EpochRecord> epochs;
  int best_epoch = -1;  // index into epochs whose parameters the backend holds at the end
  double best_validation_loss = 0.0;
  bool stopped_early = false;
};

// X [n][T][I] and Y [n][O] with the backend's T, I, O. Needs at least one training and one
// validation row (InputError otherwise). On return the backend holds the parameters of the best
// epoch (by validation loss).
TrainHistory train_forecaster(kernels::ForecasterBackend& backend, const float* X, const float* Y, std::size_t n,
                              const TrainOptions& options);

using EpochCallback = std::function<void(const EpochRecord&)>;

// Same, with explicit training and validation rows (options.validation_fraction is ignored);
// `on_epoch` (if set) sees every epoch's record as soon as it is known.
TrainHistory train_forecaster(kernels::ForecasterBackend& backend, Rows train, Rows validation,
                              const TrainOptions& options, const EpochCallback& on_epoch = {});

// The backend's predictions for rows X [n][T][I], in batches of at most dims().B: [n][O].
std::vector<float> predict_rows(kernels::ForecasterBackend& backend, const float* X, std::size_t n);

// Mean loss of the backend's predictions over rows X [n][T][I], Y [n][O], in batches.
double evaluate_loss(kernels::ForecasterBackend& backend, const float* X, const float* Y, std::size_t n,
                     kernels::LossKind loss);

}  // namespace fedload::model
