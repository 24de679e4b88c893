#include "fedload/fl/exact_sum.hpp"

#include <bit>
#include <cmath>
#include <cstddef>

#include "fedload/core/error.hpp"

namespace fedload::fl {
namespace {

using u64 = std::uint64_t;

constexpr int kDefaultExponent = 40;
// Each term must stay below 2^62 in magnitude; sums are checked for int64 overflow separately.
constexpr double kTermLimit = 0x1.0p62;
constexpr u64 kTermLimitBits = std::bit_cast<u64>(kTermLimit);
constexpr u64 kSignBit = u64{1} << 63;
// 1.5 * 2^52: adding it to a double of magnitude below 2^51 lands in [2^52, 2^53), where the
// spacing of doubles is exactly 1, so the addition itself rounds to an integer (ties to even, since
// the magic number is even), and the result's bits are the magic number's bits plus that integer.
constexpr double kMagic = 0x1.8p52;
constexpr u64 kMagicBits = std::bit_cast<u64>(kMagic);

// round(x) to nearest, ties to even, for finite |x| < 2^62, exactly, in steps the compiler
// vectorizes on plain x86-64 (SSE2 has no double -> int64 conversion). x = hi * 2^32 + lo with
// hi = round(x * 2^-32) (|hi| < 2^30) and lo = x - hi * 2^32, which is exact (|lo| <= 2^31 and
// lo is a multiple of x's last bit whenever hi != 0); hi * 2^32 is an even integer, so rounding
// x is rounding lo. Both roundings are the magic-number addition above.
inline std::int64_t round_to_int64(double x) {
  const double hi_magic = x * 0x1.0p-32 + kMagic;
  const double hi = hi_magic - kMagic;
  const double lo = x - hi * 0x1.0p32;
  const u64 hi_bits = std::bit_cast<u64>(hi_magic) - kMagicBits;
  const u64 lo_bits = std::bit_cast<u64>(lo + kMagic) - kMagicBits;
  return static_cast<std::int64_t>((hi_bits << 32) + lo_bits);  // two's complement, no wrap
}

// (double)v, the nearest double, ties to even, for every int64, vectorizable like the above:
// u = v + 2^63 as an unsigned number = hi * 2^32 + lo with hi, lo < 2^32; (hi - 2^31) * 2^32
// and lo are exact doubles, and their sum is v rounded once.
inline double int64_to_double(std::int64_t v) {
  const u64 u = static_cast<u64>(v) ^ kSignBit;
  const double hi = std::bit_cast<double>(kMagicBits + (u >> 32)) - kMagic;
  const double lo = std::bit_cast<double>(kMagicBits + (u & 0xffff'ffffu)) - kMagic;
  return (hi - 0x1.0p31) * 0x1.0p32 + lo;
}

// Bit 63 set when x is not finite or |x| >= 2^62: |x|'s bits, as an integer below 2^63, reach
// the limit's bits exactly then (NaN and inf have the largest bit patterns).
inline u64 out_of_range_flag(double x) {
  const u64 magnitude = std::bit_cast<u64>(x) & ~kSignBit;
  return magnitude + (kSignBit - kTermLimitBits);
}

void check_coefficient(double coeff) {
  if (!std::isfinite(coeff)) throw_runtime_error("fixed-point sum: coefficient {} is not finite", coeff);
}

[[noreturn]] void throw_non_finite(std::span<const float> delta, std::size_t j) {
  throw_runtime_error("fixed-point sum: update element {} of {} is {} (not finite)", j, delta.size(),
                      delta[j]);
}

// How a term is computed: (coeff * 2^s) * delta in double, which rounds exactly like
// ldexp(coeff * delta, s) (power-of-two scaling) unless a subnormal is involved. Only where
// coeff * 2^s overflows is each term scaled on its own, so that a zero delta still gives 0 (and
// any other one an out-of-range error) rather than inf * 0.
struct TermScale {
  double coeff = 0, scale = 0;
  int exponent = 0;
  bool premultiplied = true;

  TermScale(double c, int s) : coeff(c), scale(std::ldexp(c, s)), exponent(s), premultiplied(std::isfinite(scale)) {}
  double term(float d) const {
    return premultiplied ? scale * static_cast<double>(d) : std::ldexp(coeff * static_cast<double>(d), exponent);
  }
};

// The vectorized pass: out[j] (+)= round(scale * delta[j]); the returned bit is set when some
// term was out of range or not finite, or some sum overflowed (a + t overflows exactly when
// both operands' signs differ from the sum's).
template <bool kAccumulate>
bool convert_pass(double scale, const float* delta, std::int64_t* out, std::size_t n) {
  u64 flags = 0;
  for (std::size_t j = 0; j < n; ++j) {
    const double x = scale * static_cast<double>(delta[j]);
    flags |= out_of_range_flag(x);
    const u64 t = static_cast<u64>(round_to_int64(x));
    if constexpr (kAccumulate) {
      const u64 a = static_cast<u64>(out[j]);
      const u64 sum = a + t;
      flags |= (a ^ sum) & (t ^ sum);
      out[j] = static_cast<std::int64_t>(sum);
    } else {
      out[j] = static_cast<std::int64_t>(t);
    }
  }
  return (flags & kSignBit) != 0;
}

// Element by element with every check, in order: the slow path when coeff * 2^s overflows (applied == false: this pass does the work), and how an error raised by convert_pass is
// located (applied == true: the pass already added each term, so the old sum is the new minus it).
template <bool kAccumulate>
void checked_pass(const TermScale& ts, std::span<const float> delta, std::span<std::int64_t> out, bool applied) {
  for (std::size_t j = 0; j < delta.size(); ++j) {
    if (!std::isfinite(delta[j])) throw_non_finite(delta, j);
    const double x = ts.term(delta[j]);
    if (!(std::fabs(x) < kTermLimit)) {
      throw_runtime_error("fixed-point sum: element {} (coefficient {} times {}) overflows int64 at "
                          "exponent {}", j, ts.coeff, delta[j], ts.exponent);
    }
    const std::int64_t t = round_to_int64(x);
    if constexpr (kAccumulate) {
      const auto before = applied ? static_cast<std::int64_t>(static_cast<u64>(out[j]) - static_cast<u64>(t)) : out[j];
      std::int64_t sum = 0;
      if (__builtin_add_overflow(before, t, &sum)) {
        throw_runtime_error("fixed-point sum: element {} overflows int64 at exponent {} (bound too small "
                            "for these updates)", j, ts.exponent);
      }
      if (!applied) out[j] = sum;
    } else if (!applied) {
      out[j] = t;
    }
  }
  if (applied) throw_runtime_error("fixed-point sum: internal error: a range flag was raised but no element fails");
}

template <bool kAccumulate>
void to_fixed(double coeff, std::span<const float> delta, int exponent, std::span<std::int64_t> out) {
  if (out.size() != delta.size()) {
    throw_runtime_error("fixed-point sum: accumulator has {} elements, update has {}", out.size(), delta.size());
  }
  check_coefficient(coeff);
  const TermScale ts(coeff, exponent);
  if (!ts.premultiplied) return checked_pass<kAccumulate>(ts, delta, out, false);
  if (convert_pass<kAccumulate>(ts.scale, delta.data(), out.data(), delta.size())) {
    checked_pass<kAccumulate>(ts, delta, out, true);
  }
}

}  // namespace

double fixed_point_term_bound(double coeff, std::span<const float> delta) {
  check_coefficient(coeff);
  // the largest |delta| as the largest bit pattern with the sign cleared (non-negative floats
  // order like their bits as integers); NaN and inf are the patterns from 0x7f800000 up
  std::int32_t largest = 0;
  for (const float d : delta) {
    const auto magnitude = static_cast<std::int32_t>(std::bit_cast<std::uint32_t>(d) & 0x7fff'ffffu);
    largest = magnitude > largest ? magnitude : largest;
  }
  if (largest >= 0x7f80'0000) {
    for (std::size_t j = 0; j < delta.size(); ++j)
      if (!std::isfinite(delta[j])) throw_non_finite(delta, j);
  }
  return std::fabs(coeff) * static_cast<double>(std::bit_cast<float>(static_cast<std::uint32_t>(largest)));
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
  to_fixed<true>(coeff, delta, exponent, acc);
}

void encode_fixed(double coeff, std::span<const float> delta, int exponent, std::span<std::int64_t> out) {
  to_fixed<false>(coeff, delta, exponent, out);
}

void fixed_to_float(std::span<const std::int64_t> acc, int exponent, std::span<const float> global,
                    std::span<float> out) {
  if (acc.size() != global.size() || out.size() != global.size()) {
    throw_runtime_error("fixed-point sum: accumulator ({}), global ({}) and output ({}) sizes differ",
                        acc.size(), global.size(), out.size());
  }
  const std::size_t n = acc.size();
  if (exponent < -1023 || exponent > 1022) {
    // 2^-s is not a normal double: scale each value on its own (never for a sane bound)
    for (std::size_t j = 0; j < n; ++j) {
      out[j] = static_cast<float>(static_cast<double>(global[j]) + std::ldexp(int64_to_double(acc[j]), -exponent));
    }
    return;
  }
  // (double)acc * 2^-s is exact and equals ldexp((double)acc, -s): |acc| >= 1 keeps it normal
  const double inv = std::ldexp(1.0, -exponent);
  const std::int64_t* a = acc.data();
  const float* g = global.data();
  float* o = out.data();
  for (std::size_t j = 0; j < n; ++j) {
    o[j] = static_cast<float>(static_cast<double>(g[j]) + int64_to_double(a[j]) * inv);
  }
}

}  // namespace fedload::fl
