#include "fedload/model/local_training.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "fedload/core/error.hpp"
#include "fedload/core/stall_watchdog.hpp"

namespace fedload::model {

namespace {

void check_options(std::size_t n, const LocalTrainOptions& o) {
  if (n == 0) throw_input_error("local training needs at least one training row, got none");
  if (o.batch < 1) throw_input_error("local training: batch size must be >= 1, got {}", o.batch);
  if (o.steps < 0) throw_input_error("local training: steps must be >= 0 (0 = use epochs), got {}", o.steps);
  if (o.steps == 0 && o.epochs < 1)
    throw_input_error("local training: epochs must be >= 1 when steps is 0, got {}", o.epochs);
}

}  // namespace

std::int64_t local_train_steps(std::size_t n, int B, const LocalTrainOptions& o) {
  check_options(n, o);
  if (o.steps > 0) return o.steps;
  const std::size_t batch = static_cast<std::size_t>(std::min(o.batch, B));
  return static_cast<std::int64_t>(o.epochs) * static_cast<std::int64_t>((n + batch - 1) / batch);
}

LocalTrainResult local_train(kernels::ForecasterBackend& backend, Rows train, const LocalTrainOptions& o) {
  const auto start = std::chrono::steady_clock::now();
  // epochs mode is steps mode with whole epochs: the batches wrap from one epoch to the next
  const std::int64_t steps = local_train_steps(train.n, backend.dims().B, o);
  ShuffledBatches batches(backend.dims(), train, o.batch, o.seed, o.stream);
  LocalTrainResult r;
  double sum = 0.0;
  for (std::int64_t s = 0; s < steps; ++s) {
    const int b = batches.load_next(backend);
    backend.forward_backward(o.loss);
    const double loss = backend.loss();
    if (!std::isfinite(loss))
      throw_runtime_error("local training: non-finite loss ({}) at step {} of {}", loss, s + 1, steps);
    backend.optimizer_step(o.optimizer);
    note_heartbeat();  // StallWatchdog: training goes on
    sum += b * loss;
    r.rows_visited += static_cast<std::size_t>(b);
    ++r.steps;
  }
  r.mean_loss = sum / static_cast<double>(r.rows_visited);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

}  // namespace fedload::model
