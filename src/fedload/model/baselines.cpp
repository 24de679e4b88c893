#include "fedload/model/baselines.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "fedload/core/error.hpp"
#include "fedload/core/stall_watchdog.hpp"

namespace fedload::model {

std::vector<float> seasonal_naive(const std::vector<float>& series, int period, int horizon, std::size_t first,
                                  std::size_t n_windows) {
  if (period < 1 || horizon < 1) throw_input_error("seasonal naive needs period and horizon >= 1 ({}, {})", period, horizon);
  if (n_windows > 0 && first + n_windows > series.size()) {
    throw_input_error("seasonal naive origin {} is past the series' {} values", first + n_windows - 1, series.size());
  }
  if (first + 1 < static_cast<std::size_t>(period)) {
    throw_input_error("seasonal naive origin {} has less than one season ({} steps) of history", first, period);
  }
  std::vector<float> out(n_windows * static_cast<std::size_t>(horizon));
  for (std::size_t w = 0; w < n_windows; ++w) {
    const std::size_t t = first + w;
    for (int h = 1; h <= horizon; ++h) {
      const std::size_t seasons = static_cast<std::size_t>((h + period - 1) / period);
      out[w * horizon + h - 1] = series[t + h - seasons * period];
    }
  }
  return out;
}

std::vector<double> cholesky_solve(std::vector<double> A, std::vector<double> b, int n) {
  // A = L L^T, L stored in the lower triangle of A
  for (int j = 0; j < n; ++j) {
    double d = A[static_cast<std::size_t>(j) * n + j];
    for (int k = 0; k < j; ++k) d -= A[static_cast<std::size_t>(j) * n + k] * A[static_cast<std::size_t>(j) * n + k];
    if (!(d > 0.0)) throw_runtime_error("normal equations are not positive definite (pivot {} = {})", j, d);
    const double l = std::sqrt(d);
    A[static_cast<std::size_t>(j) * n + j] = l;
    for (int i = j + 1; i < n; ++i) {
      double s = A[static_cast<std::size_t>(i) * n + j];
      for (int k = 0; k < j; ++k) s -= A[static_cast<std::size_t>(i) * n + k] * A[static_cast<std::size_t>(j) * n + k];
      A[static_cast<std::size_t>(i) * n + j] = s / l;
    }
  }
  for (int i = 0; i < n; ++i) {  // L y = b
    for (int k = 0; k < i; ++k) b[i] -= A[static_cast<std::size_t>(i) * n + k] * b[k];
    b[i] /= A[static_cast<std::size_t>(i) * n + i];
  }
  for (int i = n - 1; i >= 0; --i) {  // L^T x = y
    for (int k = i + 1; k < n; ++k) b[i] -= A[static_cast<std::size_t>(k) * n + i] * b[k];
    b[i] /= A[static_cast<std::size_t>(i) * n + i];
  }
  return b;
}

std::vector<double> RidgeForecaster::features(const float* x, int dow) const {
  std::vector<double> z(nf_, 0.0);
  for (int k = 0; k < lookback_; ++k) z[k] = x[k];
  if (use_dow_) {
    if (dow < 0 || dow > 6) throw_input_error("day of week {} is outside 0..6", dow);
    z[lookback_ + dow] = 1.0;
  }
  z[nf_ - 1] = 1.0;  // bias
  return z;
}

std::vector<double> RidgeForecaster::solve(const std::vector<float>& X, const std::vector<int>& dow,
                                           const std::vector<float>& Y, double lambda) const {
  const std::size_t n = X.size() / lookback_;
  std::vector<double> A(static_cast<std::size_t>(nf_) * nf_, 0.0), B(static_cast<std::size_t>(nf_) * horizon_, 0.0);
  for (std::size_t r = 0; r < n; ++r) {
    if (r % 4096 == 4095) note_heartbeat();  // StallWatchdog: a fit over years of windows takes a while
    const auto z = features(X.data() + r * lookback_, use_dow_ ? dow[r] : 0);
    for (int i = 0; i < nf_; ++i) {
      for (int j = 0; j < nf_; ++j) A[static_cast<std::size_t>(i) * nf_ + j] += z[i] * z[j];
      for (int o = 0; o < horizon_; ++o) B[static_cast<std::size_t>(o) * nf_ + i] += z[i] * Y[r * horizon_ + o];
    }
  }
  // the bias is not shrunk; a tiny ridge on it keeps a constant feature set solvable
  for (int i = 0; i < nf_; ++i) A[static_cast<std::size_t>(i) * nf_ + i] += i == nf_ - 1 ? 1e-12 : lambda;
  std::vector<double> w(static_cast<std::size_t>(horizon_) * nf_);
  for (int o = 0; o < horizon_; ++o) {
    const auto col = cholesky_solve(A, std::vector<double>(B.begin() + static_cast<std::ptrdiff_t>(o) * nf_,
                                                           B.begin() + static_cast<std::ptrdiff_t>(o + 1) * nf_),
                                    nf_);
    std::copy(col.begin(), col.end(), w.begin() + static_cast<std::ptrdiff_t>(o) * nf_);
  }
  return w;
}

double RidgeForecaster::fit(const std::vector<float>& X, const std::vector<int>& dow, const std::vector<float>& Y,
                            int lookback, int horizon, const std::vector<float>& X_val, const std::vector<int>& dow_val,
                            const std::vector<float>& Y_val, const std::vector<double>& lambdas) {
  if (lookback < 1 || horizon < 1 || X.empty() || X.size() % lookback != 0 ||
      Y.size() != X.size() / lookback * horizon) {
    throw_input_error("ridge needs X [n][{}] and Y [n][{}] with n >= 1", lookback, horizon);
  }
  if (lambdas.empty()) throw_input_error("ridge needs at least one regularization value");
  lookback_ = lookback;
  horizon_ = horizon;
  use_dow_ = !dow.empty();
  nf_ = lookback + (use_dow_ ? 7 : 0) + 1;
  double best = std::numeric_limits<double>::infinity();
  for (double lambda : lambdas) {
    if (lambda < 0) throw_input_error("ridge regularization must be >= 0, got {}", lambda);
    w_ = solve(X, dow, Y, lambda);
    const auto pred = predict(X_val, dow_val);
    double mse = 0;
    for (std::size_t k = 0; k < pred.size(); ++k) mse += (pred[k] - Y_val[k]) * (pred[k] - Y_val[k]);
    if (mse < best) {
      best = mse;
      lambda_ = lambda;
    }
  }
  w_ = solve(X, dow, Y, lambda_);
  return lambda_;
}

std::vector<float> RidgeForecaster::predict(const std::vector<float>& X, const std::vector<int>& dow) const {
  if (w_.empty()) throw_input_error("ridge forecaster used before fit()");
  const std::size_t n = X.size() / lookback_;
  std::vector<float> out(n * horizon_);
  for (std::size_t r = 0; r < n; ++r) {
    const auto z = features(X.data() + r * lookback_, use_dow_ ? dow.at(r) : 0);
    for (int o = 0; o < horizon_; ++o) {
      double s = 0;
      for (int i = 0; i < nf_; ++i) s += w_[static_cast<std::size_t>(o) * nf_ + i] * z[i];
      out[r * horizon_ + o] = static_cast<float>(s);
    }
  }
  return out;
}

}  // namespace fedload::model
