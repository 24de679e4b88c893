#include "fedload/model/trainer.hpp"

#include <algorithm>
#include <chrono>

#include "fedload/core/error.hpp"
#include "fedload/core/stall_watchdog.hpp"
#include "fedload/kernels/loss.hpp"

namespace fedload::model {

std::vector<float> predict_rows(kernels::ForecasterBackend& backend, const float* X, std::size_t n) {
  const auto& d = backend.dims();
  const std::size_t xrow = static_cast<std::size_t>(d.T) * d.I, yrow = static_cast<std::size_t>(d.O);
  std::vector<float> yhat(n * yrow);
  for (std::size_t r = 0; r < n; r += d.B) {
    const int b = static_cast<int>(std::min<std::size_t>(d.B, n - r));
    backend.load_batch(X + r * xrow, nullptr, b);
    backend.predict(yhat.data() + r * yrow);
    note_heartbeat();
  }
  return yhat;
}

double evaluate_loss(kernels::ForecasterBackend& backend, const float* X, const float* Y, std::size_t n,
                     kernels::LossKind loss) {
  const auto& d = backend.dims();
  const std::size_t yrow = static_cast<std::size_t>(d.O);
  const std::vector<float> yhat = predict_rows(backend, X, n);
  // the mean of per-batch means weighted by batch size, batch by batch as the rows were predicted
  double sum = 0.0;
  for (std::size_t r = 0; r < n; r += d.B) {
    const int b = static_cast<int>(std::min<std::size_t>(d.B, n - r));
    sum += b * kernels::loss_and_grad<float>(loss, b * yrow, yhat.data() + r * yrow, Y + r * yrow, nullptr);
  }
  return sum / static_cast<double>(n);
}

TrainHistory train_forecaster(kernels::ForecasterBackend& backend, const float* X, const float* Y, std::size_t n,
                              const TrainOptions& o) {
  const auto& d = backend.dims();
  const std::size_t n_val = static_cast<std::size_t>(o.validation_fraction * static_cast<double>(n));
  const std::size_t n_train = n - n_val;
  if (o.validation_fraction <= 0.0 || o.validation_fraction >= 1.0 || n_val == 0 || n_train == 0) {
    throw_input_error("training needs rows for both training and validation: {} rows, validation fraction {}", n,
                      o.validation_fraction);
  }
  const std::size_t xrow = static_cast<std::size_t>(d.T) * d.I, yrow = static_cast<std::size_t>(d.O);
  return train_forecaster(backend, Rows{X, Y, n_train}, Rows{X + n_train * xrow, Y + n_train * yrow, n_val}, o);
}

TrainHistory train_forecaster(kernels::ForecasterBackend& backend, Rows train, Rows validation,
                              const TrainOptions& o, const EpochCallback& on_epoch) {
  const auto& d = backend.dims();
  if (train.n == 0 || validation.n == 0)
    throw_input_error("training needs rows for both training and validation: {} training, {} validation rows",
                      train.n, validation.n);
  if (o.epochs < 1 || o.batch < 1) throw_input_error("epochs and batch must be >= 1 ({}, {})", o.epochs, o.batch);
  ShuffledBatches batches(d, train, o.batch, o.seed);
  std::vector<float> best(backend.param_count());
  backend.get_params(best.data());

  TrainHistory h;
  int since_best = 0, since_decay = 0;
  kernels::OptimizerOptions opt = o.optimizer;
  for (int e = 0; e < o.epochs; ++e) {
    const auto start = std::chrono::steady_clock::now();
    // epoch e of the batches is shuffled with CounterRng(o.seed, e)
    double sum = 0.0;
    do {
      const int b = batches.load_next(backend);
      backend.forward_backward(o.loss);
      backend.optimizer_step(opt);
      sum += b * backend.loss();
      note_heartbeat();  // StallWatchdog: training goes on
    } while (!batches.epoch_finished());
    EpochRecord rec{e, sum / static_cast<double>(train.n),
                    evaluate_loss(backend, validation.X, validation.Y, validation.n, o.loss), 0.0, opt.lr};
    rec.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    h.epochs.push_back(rec);
    if (on_epoch) on_epoch(rec);
    if (h.best_epoch < 0 || rec.validation_loss < h.best_validation_loss) {
      h.best_epoch = e;
      h.best_validation_loss = rec.validation_loss;
      backend.get_params(best.data());
      since_best = since_decay = 0;
    } else {
      if (o.patience > 0 && ++since_best >= o.patience) {
        h.stopped_early = true;
        break;
      }
      if (o.lr_decay < 1.0 && ++since_decay >= o.lr_decay_patience) {
        opt.lr = static_cast<float>(opt.lr * o.lr_decay);
        since_decay = 0;
      }
    }
  }
  // restoring resets the optimizer state; a later call starts fresh moments from the best point
  if (o.restore_best) backend.set_params(best.data());
  return h;
}

}  // namespace fedload::model
