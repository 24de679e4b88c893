#include "fedload/privacy/rdp_accountant.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "fedload/core/error.hpp"

namespace fedload::privacy {
namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

// log(e^a + e^b) without overflow; -inf stands for 0
double log_add(double a, double b) {
  if (a == kNegInf) return b;
  if (b == kNegInf) return a;
  const double hi = std::max(a, b);
  return hi + std::log1p(std::exp(std::min(a, b) - hi));
}

// log(erfc(x)); erfc underflows near x = 27, so beyond 25 the asymptotic series
// erfc(x) = e^{-x²}/(x √π) (1 - 1/(2x²) + 3/(4x⁴) - 15/(8x⁶) + ...) is used (next term < 1e-10).
double log_erfc(double x) {
  if (x < 25.0) return std::log(std::erfc(x));
  const double u = 1.0 / (x * x);
  return -x * x - std::log(x * std::sqrt(std::numbers::pi)) +
         std::log1p(u * (-0.5 + u * (0.75 - u * 1.875)));
}

void check_q_z(double q, double z) {
  if (!(q >= 0.0 && q <= 1.0))
    throw_input_error("privacy: sampling rate q = {} is not in [0, 1]", q);
  if (!(z > 0.0) || !std::isfinite(z))
    throw_input_error("privacy: noise multiplier z = {} must be positive and finite "
                      "(z = 0 gives no privacy)", z);
}

// an integer order costs order + 1 terms, so absurd orders are refused rather than looped over
constexpr double kMaxOrder = 100000.0;

void check_order(double order) {
  if (!(order > 1.0 && order <= kMaxOrder))
    throw_input_error("privacy: RDP order {} must be > 1 and <= {}", order, kMaxOrder);
}

void check_delta(double delta) {
  if (!(delta > 0.0 && delta < 1.0))
    throw_input_error("privacy: delta = {} is not in (0, 1)", delta);
}

// log A_α for integer α >= 2, 0 < q < 1: the binomial sum term by term in log space.
double log_a_integer(double q, double z, std::int64_t alpha) {
  const double log_q = std::log(q), log_1mq = std::log1p(-q);
  const double a = static_cast<double>(alpha);
  const double lgamma_a1 = std::lgamma(a + 1.0);
  double sum = kNegInf;
  for (std::int64_t k = 0; k <= alpha; ++k) {
    const double kd = static_cast<double>(k);
    const double log_binom = lgamma_a1 - std::lgamma(kd + 1.0) - std::lgamma(a - kd + 1.0);
    sum = log_add(sum, log_binom + kd * log_q + (a - kd) * log_1mq + (kd * kd - kd) / (2 * z * z));
  }
  return sum;
}

// log A_α for fractional α, 0 < q < 1. Below z0 the mixture ratio (1-q) + q e^{(2x-1)/(2z²)}
// has its first part larger, above z0 its second, so each side is a convergent generalized
// binomial series; term i integrates to a Gaussian tail (erfc). The generalized binomial
// C(α, i) is built by the recurrence C(α, i+1) = C(α, i) (α - i)/(i + 1), as log|C| and a sign:
// it alternates once i > α, so positive and negative terms are summed apart and subtracted at
// the end. Terms decay polynomially in i; the loop stops when both sides' terms are below e^-30
// (A_α >= 1, so that is below double precision of the sum) past i = α.
double log_a_fractional(double q, double z, double alpha) {
  const double log_q = std::log(q), log_1mq = std::log1p(-q);
  const double z0 = z * z * (std::log(1.0 / q - 1.0)) + 0.5;
  const double s2 = std::sqrt(2.0) * z;
  double pos0 = kNegInf, neg0 = kNegInf, pos1 = kNegInf, neg1 = kNegInf;
  double log_abs_binom = 0.0;
  bool positive = true;
  constexpr std::int64_t kMaxTerms = 50'000'000;
  for (std::int64_t n = 0;; ++n) {
    if (n == kMaxTerms)
      throw_runtime_error("privacy: the RDP series at order {} (q = {}, z = {}) did not converge",
                          alpha, q, z);
    const double i = static_cast<double>(n);
    const double j = alpha - i;
    const double t0 = log_abs_binom + i * log_q + j * log_1mq + (i * i - i) / (2 * z * z) +
                      std::log(0.5) + log_erfc((i - z0) / s2);
    const double t1 = log_abs_binom + j * log_q + i * log_1mq + (j * j - j) / (2 * z * z) +
                      std::log(0.5) + log_erfc((z0 - j) / s2);
    if (positive) {
      pos0 = log_add(pos0, t0);
      pos1 = log_add(pos1, t1);
    } else {
      neg0 = log_add(neg0, t0);
      neg1 = log_add(neg1, t1);
    }
    if (i > alpha && std::max(t0, t1) < -30.0) break;
    log_abs_binom += std::log(std::abs(alpha - i)) - std::log(i + 1.0);
    if (alpha - i < 0) positive = !positive;
  }
  // each side is a sum of positive quantities, so pos > neg up to rounding
  const auto side = [](double pos, double neg) {
    if (neg == kNegInf) return pos;
    const double r = std::exp(neg - pos);
    return r < 1.0 ? pos + std::log1p(-r) : kNegInf;
  };
  return log_add(side(pos0, neg0), side(pos1, neg1));
}

// log A_α of the without-replacement bound (header) for integer α >= 2, 0 < γ < 1.
double log_a_without_replacement(double gamma, double z, std::int64_t alpha) {
  const double log_g = std::log(gamma), a = static_cast<double>(alpha);
  const double lgamma_a1 = std::lgamma(a + 1.0);
  const auto log_binom = [&](double k) { return lgamma_a1 - std::lgamma(k + 1.0) - std::lgamma(a - k + 1.0); };
  // j = 2: min{4 (e^{ε(2)} - 1), 2 e^{ε(2)}} with ε(2) = 1/z²; log(e^x - 1) by expm1 for small x
  // (large z) and as x + log1p(-e^{-x}) for large x, where expm1 would overflow
  const double eps2 = 1.0 / (z * z);
  const double log_expm1 = eps2 < 1.0 ? std::log(std::expm1(eps2)) : eps2 + std::log1p(-std::exp(-eps2));
  double sum = 0.0;  // log 1
  sum = log_add(sum, 2.0 * log_g + log_binom(2.0) + std::min(std::log(4.0) + log_expm1, std::log(2.0) + eps2));
  for (std::int64_t j = 3; j <= alpha; ++j) {
    const double jd = static_cast<double>(j);
    sum = log_add(sum, std::log(2.0) + jd * log_g + log_binom(jd) + (jd - 1.0) * jd / (2 * z * z));
  }
  return sum;
}

std::vector<double> checked_orders(std::vector<double> orders) {
  if (orders.empty()) throw_input_error("privacy: the RDP accountant needs at least one order");
  for (double a : orders) check_order(a);
  return orders;
}

}  // namespace

std::string_view sampling_name(Sampling s) {
  return s == Sampling::kPoisson ? "poisson" : "without_replacement";
}

std::string_view conversion_name(RdpConversion c) {
  return c == RdpConversion::kBalle2020 ? "balle2020" : "classic";
}

double sampled_gaussian_rdp(double q, double z, double order) {
  check_q_z(q, z);
  check_order(order);
  if (q == 0.0) return 0.0;
  if (q == 1.0) return order / (2.0 * z * z);
  const double log_a = std::floor(order) == order
                           ? log_a_integer(q, z, static_cast<std::int64_t>(order))
                           : log_a_fractional(q, z, order);
  // A_α >= 1 in exact arithmetic; rounding may leave a hair below
  return std::max(0.0, log_a / (order - 1.0));
}

double without_replacement_gaussian_rdp(double gamma, double z, double order) {
  if (!(gamma >= 0.0 && gamma <= 1.0))
    throw_input_error("privacy: sampling ratio gamma = K/N = {} is not in [0, 1]", gamma);
  check_q_z(1.0, z);
  check_order(order);
  const double plain = order / (2.0 * z * z);
  if (gamma == 0.0) return 0.0;
  if (gamma == 1.0) return plain;
  if (std::floor(order) != order) return std::numeric_limits<double>::infinity();
  const double bound = log_a_without_replacement(gamma, z, static_cast<std::int64_t>(order)) / (order - 1.0);
  return std::min(bound, plain);
}

double epsilon_from_rdp(double order, double rdp, double delta, RdpConversion conversion) {
  check_order(order);
  check_delta(delta);
  if (conversion == RdpConversion::kClassic) return rdp - std::log(delta) / (order - 1.0);
  return rdp + std::log1p(-1.0 / order) - (std::log(delta) + std::log(order)) / (order - 1.0);
}

RdpAccountant::RdpAccountant() : RdpAccountant(default_orders()) {}

RdpAccountant::RdpAccountant(std::vector<double> orders)
    : orders_(checked_orders(std::move(orders))), rdp_(orders_.size(), 0.0) {}

std::vector<double> RdpAccountant::default_orders() {
  std::vector<double> orders{1.25, 1.5, 1.75, 2, 2.25, 2.5, 3, 3.5, 4, 4.5};
  for (int a = 5; a <= 64; ++a) orders.push_back(a);
  orders.push_back(128);
  orders.push_back(256);
  return orders;
}

std::vector<double> RdpAccountant::step_rdp(double q, double z, std::int64_t steps, Sampling sampling) const {
  check_q_z(q, z);
  if (steps < 0) throw_input_error("privacy: steps = {} is negative", steps);
  std::vector<double> out(orders_.size(), 0.0);
  if (steps == 0 || q == 0.0) return out;
  for (std::size_t i = 0; i < orders_.size(); ++i)
    out[i] = static_cast<double>(steps) * (sampling == Sampling::kPoisson
                                               ? sampled_gaussian_rdp(q, z, orders_[i])
                                               : without_replacement_gaussian_rdp(q, z, orders_[i]));
  return out;
}

void RdpAccountant::add_steps(double q, double z, std::int64_t steps, Sampling sampling) {
  const auto more = step_rdp(q, z, steps, sampling);
  for (std::size_t i = 0; i < rdp_.size(); ++i) rdp_[i] += more[i];
  steps_ += steps;
}

PrivacySpent RdpAccountant::epsilon(double delta, RdpConversion conversion) const {
  return best(orders_, rdp_, delta, conversion);
}

PrivacySpent RdpAccountant::epsilon_after(double q, double z, std::int64_t steps, double delta,
                                          RdpConversion conversion, Sampling sampling) const {
  auto total = step_rdp(q, z, steps, sampling);
  for (std::size_t i = 0; i < total.size(); ++i) total[i] += rdp_[i];
  return best(orders_, total, delta, conversion);
}

PrivacySpent RdpAccountant::best(std::span<const double> orders, std::span<const double> rdp,
                                 double delta, RdpConversion conversion) {
  check_delta(delta);
  PrivacySpent out{std::numeric_limits<double>::infinity(), orders[0], conversion};
  for (std::size_t i = 0; i < orders.size(); ++i) {
    const double eps = epsilon_from_rdp(orders[i], rdp[i], delta, conversion);
    if (eps < out.epsilon) {
      out.epsilon = eps;
      out.order = orders[i];
    }
  }
  out.epsilon = std::max(0.0, out.epsilon);
  return out;
}

}  // namespace fedload::privacy
