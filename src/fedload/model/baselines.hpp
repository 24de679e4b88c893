#pragma once
// Non-neural baselines every forecaster is compared with.
#include <cstddef>
#include <vector>

namespace fedload::model {

// Seasonal naive: the forecast of series[t + h] (h = 1..horizon) made at origin t is the value
// one season earlier, series[t + h - period * ceil(h / period)]. Returns [n_windows][horizon]
// for origins t = first .. first + n_windows - 1. Throws InputError when period < 1, an origin
// is past the series' end or too early to have a season of history (t < period - 1).
std::vector<float> seasonal_naive(const std::vector<float>& series, int period, int horizon, std::size_t first,
                                  std::size_t n_windows);

// Ridge regression from a lookback window (and optionally one-hot day of week) to the horizon:
//   features z = [x_{t-L+1..t}, onehot(dow_t) (7 values, if used), 1]
//   W = argmin sum ||W z - y||^2 + lambda ||W without the bias column||^2
// solved by the normal equations in double with a Cholesky factorization. fit() tries each
// lambda and keeps the one with the lowest validation MSE.
class RidgeForecaster {
 public:
  // X [n][lookback], dow [n] (0..6, or empty: no day-of-week features), Y [n][horizon];
  // validation rows likewise. Returns the chosen lambda.
  double fit(const std::vector<float>& X, const std::vector<int>& dow, const std::vector<float>& Y, int lookback,
             int horizon, const std::vector<float>& X_val, const std::vector<int>& dow_val,
             const std::vector<float>& Y_val, const std::vector<double>& lambdas);
  // X [n][lookback] -> [n][horizon]
  std::vector<float> predict(const std::vector<float>& X, const std::vector<int>& dow) const;
  // W [horizon][features] with features = lookback (+7) + 1 (bias last).
  const std::vector<double>& weights() const { return w_; }
  double lambda() const { return lambda_; }

 private:
  std::vector<double> solve(const std::vector<float>& X, const std::vector<int>& dow, const std::vector<float>& Y,
                            double lambda) const;
  std::vector<double> features(const float* x, int dow) const;
  int lookback_ = 0, horizon_ = 0, nf_ = 0;
  bool use_dow_ = false;
  double lambda_ = 0.0;
  std::vector<double> w_;
};

// Solves A x = b for a symmetric positive definite A [n][n] (row-major) by Cholesky; A and b are
// taken by value. Throws fedload::Error when A is not positive definite.
std::vector<double> cholesky_solve(std::vector<double> A, std::vector<double> b, int n);

}  // namespace fedload::model
