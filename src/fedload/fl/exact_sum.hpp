#pragma once
// Exact, order-free summation of sum_i c_i * delta_i in int64 fixed point.
//
// Why the result is bitwise the same for any rank layout: every term c_i * delta_i[j] is
// computed in double, scaled by 2^s (exact: a power of two) and rounded to an integer on its own,
// so its value does not depend on where or with what it is later summed. Integer addition is
// associative and commutative, so per-rank partial sums added in any order (MPI_SUM over int64,
// any tree) give the same integers as one sequential loop. Floating-point sums do not have this
// property: (a + b) + c != a + (b + c) in general.
//
// Rounding: a term is rounded to the nearest integer, ties to even (IEEE 754's default; e.g.
// 2.5 -> 2, -1.5 -> -2), the same on every processor and for every vector width, since it is
// computed with exact integer and power-of-two steps (exact_sum.cpp says how). Earlier versions
// rounded ties away from zero (llround): a term that is an exact tie now differs by one unit of
// 2^-s from what they gave; nothing stored depends on those bits. The rounding assumes the default floating-point environment
// (round to nearest), which fedload never changes.
//
// Error bound: each term is off by at most 2^-(s+1) (rounding to the nearest integer), so a sum
// of K terms is off by at most K * 2^-(s+1) in the model's units, plus the double product
// c_i * delta_i's own rounding (2^-53 relative per term) and the one final rounding to float.
// With s around 40-50 that is ~1e-13 or less, far below the spacing of float32 near any weight
// that matters (2^-24 relative).
//
// The exponent must be the same on every rank, so compute its bound from values every layout
// agrees on: bound = K * max_i fixed_point_term_bound(c_i, delta_i), where the max is reduced
// with MPI_MAX (exact in any order) and K is the number of clients. A floating-point sum of the
// per-client bounds could differ in its last bit between layouts and, at a power of two, flip s.
//
// Speed: each function is one pass over its buffers that the compiler vectorizes at -O3 for
// plain x86-64 (SSE2) and wider with FEDLOAD_NATIVE; errors are collected as flags inside the
// pass and only located (a second, scalar pass) when one was raised.
#include <cstdint>
#include <span>

namespace fedload::fl {

// |coeff| * max_j |delta[j]|; a fedload::Error naming the element if delta holds a NaN or inf,
// or if coeff is not finite.
double fixed_point_term_bound(double coeff, std::span<const float> delta);

// Scale exponent s such that bound * 2^s < 2^61, so that a sum whose terms' magnitudes add up
// to at most `bound` stays below 2^62 even after rounding (no int64 overflow). bound must be
// finite and >= 0; bound 0 (all updates zero) gives the default 40.
int fixed_point_exponent(double bound);

// acc[j] += round((coeff * 2^exponent) * (double)delta[j]), the product in double, rounded to the
// nearest integer, ties to even (= ldexp(coeff * delta[j], exponent) unless a subnormal is
// involved, as when coeff * 2^exponent overflows). A fedload::Error naming
// the first offending element for a non-finite delta or coefficient, a term of 2^62 or more (an
// exponent too large for these values), or a sum that would leave the int64 range; after such an
// error acc's contents are unspecified.
void accumulate_fixed(double coeff, std::span<const float> delta, int exponent, std::span<std::int64_t> acc);

// out[j] = round((coeff * 2^exponent) * (double)delta[j]): accumulate_fixed into a zero buffer
// without reading it (one pass instead of a fill and an accumulation; a rank's first client).
// The same errors, except that no sum can overflow.
void encode_fixed(double coeff, std::span<const float> delta, int exponent, std::span<std::int64_t> out);

// out[j] = (float)((double)global[j] + (double)acc[j] * 2^-exponent), each int64 converted to
// the nearest double. `out` may alias `global`.
void fixed_to_float(std::span<const std::int64_t> acc, int exponent, std::span<const float> global,
                    std::span<float> out);

}  // namespace fedload::fl
