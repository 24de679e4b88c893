#pragma once
// Seeded shuffled mini-batches over training rows, loaded into a forecaster backend: what the
// trainer (train_forecaster) and the client's local work (local_train) share, so that both
// visit rows in the same order for the same seed.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fedload/kernels/backend.hpp"

namespace fedload::model {

// Rows of a window set: X [n][T][I], Y [n][O].
struct Rows {
  const float* X = nullptr;
  const float* Y = nullptr;
  std::size_t n = 0;
};

// Epoch e visits the rows in the order of CounterRng(seed, stream + e).permutation(n), in
// consecutive batches of `batch` rows (the last batch of an epoch may be smaller); after the
// last batch of an epoch the next epoch begins. batch is capped at the backend's dims().B.
class ShuffledBatches {
 public:
  // InputError when rows.n == 0 or batch < 1. The rows must outlive this object.
  ShuffledBatches(const kernels::ForecasterDims& d, Rows rows, int batch, std::uint64_t seed,
                  std::uint64_t stream = 0);

  // Copies the next batch into the backend (load_batch with targets); returns its size.
  int load_next(kernels::ForecasterBackend& backend);
  // True when the batch loaded last was the last one of its epoch.
  bool epoch_finished() const { return epoch_finished_; }
  // Epochs begun so far (1 after the first load_next).
  std::uint64_t epochs_begun() const { return epochs_; }
  // Batches in one epoch: ceil(n / batch).
  std::size_t batches_per_epoch() const;
  int batch() const { return batch_; }

 private:
  Rows rows_;
  int batch_ = 0;
  std::uint64_t seed_ = 0, stream_ = 0, epochs_ = 0;
  bool epoch_finished_ = false;
  std::size_t xrow_ = 0, yrow_ = 0, next_ = 0;  // next_: first row (in order_) of the next batch
  std::vector<std::size_t> order_;
  std::vector<float> bx_, by_;
};

}  // namespace fedload::model
