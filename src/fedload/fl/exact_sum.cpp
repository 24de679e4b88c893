#include "fedload/fl/exact_sum.hpp"

#include <cmath>

#include "fedload/core/error.hpp"

namespace fedload::fl {
namespace {

constexpr int kDefaultExponent = 40;
// Each term must stay below 2^62 in magnitude; sums are checked for int64 overflow separately.
constexpr double kTermLimit = 0x1.0p62;

void check_coefficient(double coeff) {
  if (!std::isfinite(coeff)) throw_runtime_error("fixed-point sum: coefficient {} is not finite", coeff);
}

[[noreturn]] void throw_non_finite(std::span<const float> delta, std::size_t j) {
  throw_runtime_error("fixed-point sum: update element {} of {} is {} (not finite)", j, delta.size(),
                      delta[j]);
}

}  // namespace

double fixed_point_term_bound(double coeff, std::span<const float> delta) {
  check_coefficient(coeff);
  float m = 0;
  for (std::size_t j = 0; j < delta.size(); ++j) {
    if (!std::isfinite(delta[j])) throw_non_finite(delta, j);
    m = std::fmax(m, std::fabs(delta[j]));
  }
  return std::fabs(coeff) * static_cast<double>(m);
}

int fixed_point_exponent(double bound) {
  if (!std::isfinite(bound) || bound < 0) {
    throw_runtime_error("fixed-point sum: bound {} must be finite and >= 0", bound);
  }
  if (bound == 0) return kDefaultExponent;
  int e = 0;
  std::frexp(bound, &e);  // bound = m * 2^e with m in [0.5, 1), so bound < 2^e
  return 61 - e;          // bound * 2^s < 2^(e + s) = 2^61
}

void accumulate_fixed(double coeff, std::span<const float> delta, int exponent, std::span<std::int64_t> acc) {
  if (acc.size() != delta.size()) {
    throw_runtime_error("fixed-point sum: accumulator has {} elements, update has {}", acc.size(),
                        delta.size());
  }
  check_coefficient(coeff);
  const double scale = std::ldexp(coeff, exponent);  // exact unless it leaves the double range
  for (std::size_t j = 0; j < delta.size(); ++j) {
    if (!std::isfinite(delta[j])) throw_non_finite(delta, j);
    // coeff * delta * 2^s: ldexp of the product when scale overflowed, else the same value
    const double x = std::isfinite(scale) ? scale * static_cast<double>(delta[j])
                                          : std::ldexp(coeff * static_cast<double>(delta[j]), exponent);
    if (!(std::fabs(x) < kTermLimit)) {
      throw_runtime_error("fixed-point sum: element {} (coefficient {} times {}) overflows int64 at "
                          "exponent {}", j, coeff, delta[j], exponent);
    }
    std::int64_t sum = 0;
    if (__builtin_add_overflow(acc[j], static_cast<std::int64_t>(std::llround(x)), &sum)) {
      throw_runtime_error("fixed-point sum: element {} overflows int64 at exponent {} (bound too small "
                          "for these updates)", j, exponent);
    }
    acc[j] = sum;
  }
}

void fixed_to_float(std::span<const std::int64_t> acc, int exponent, std::span<const float> global,
                    std::span<float> out) {
  if (acc.size() != global.size() || out.size() != global.size()) {
    throw_runtime_error("fixed-point sum: accumulator ({}), global ({}) and output ({}) sizes differ",
                        acc.size(), global.size(), out.size());
  }
  for (std::size_t j = 0; j < acc.size(); ++j) {
    out[j] = static_cast<float>(static_cast<double>(global[j]) +
                                std::ldexp(static_cast<double>(acc[j]), -exponent));
  }
}

}  // namespace fedload::fl
