#include "fedload/model/shuffled_batches.hpp"

#include <algorithm>
#include <cstring>

#include "fedload/core/error.hpp"
#include "fedload/core/rng.hpp"

namespace fedload::model {

ShuffledBatches::ShuffledBatches(const kernels::ForecasterDims& d, Rows rows, int batch, std::uint64_t seed,
                                 std::uint64_t stream)
    : rows_(rows), batch_(std::min(batch, d.B)), seed_(seed), stream_(stream),
      xrow_(static_cast<std::size_t>(d.T) * d.I), yrow_(static_cast<std::size_t>(d.O)) {
  if (rows.n == 0) throw_input_error("training needs at least one row, got none");
  if (batch < 1) throw_input_error("batch size must be >= 1, got {}", batch);
  bx_.resize(static_cast<std::size_t>(batch_) * xrow_);
  by_.resize(static_cast<std::size_t>(batch_) * yrow_);
}

std::size_t ShuffledBatches::batches_per_epoch() const {
  return (rows_.n + static_cast<std::size_t>(batch_) - 1) / static_cast<std::size_t>(batch_);
}

int ShuffledBatches::load_next(kernels::ForecasterBackend& backend) {
  if (next_ == 0) order_ = CounterRng(seed_, stream_ + epochs_++).permutation(rows_.n);
  const int b = static_cast<int>(std::min<std::size_t>(batch_, rows_.n - next_));
  for (int k = 0; k < b; ++k) {
    const std::size_t r = order_[next_ + k];
    std::memcpy(bx_.data() + k * xrow_, rows_.X + r * xrow_, sizeof(float) * xrow_);
    std::memcpy(by_.data() + k * yrow_, rows_.Y + r * yrow_, sizeof(float) * yrow_);
  }
  backend.load_batch(bx_.data(), by_.data(), b);
  next_ += static_cast<std::size_t>(b);
  epoch_finished_ = next_ == rows_.n;
  if (epoch_finished_) next_ = 0;
  return b;
}

}  // namespace fedload::model
