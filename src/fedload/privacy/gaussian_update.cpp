#include "fedload/privacy/gaussian_update.hpp"

#include <cmath>

#include "fedload/core/error.hpp"
#include "fedload/core/rng.hpp"

namespace fedload::privacy {
namespace {

void check_clip_norm(double clip_norm) {
  if (!(clip_norm > 0.0) || !std::isfinite(clip_norm))
    throw_input_error("privacy: clip norm C = {} must be positive and finite", clip_norm);
}

}  // namespace

ClipReport clip_l2(std::span<float> update, double clip_norm) {
  check_clip_norm(clip_norm);
  double sum_sq = 0.0;  // in double: a float sum of 10^6 squares loses digits
  for (std::size_t i = 0; i < update.size(); ++i) {
    const double v = update[i];
    if (!std::isfinite(v))
      throw_runtime_error("privacy: update value {} at index {} is not finite; cannot clip", v, i);
    sum_sq += v * v;
  }
  ClipReport report;
  report.norm_before = std::sqrt(sum_sq);
  if (report.norm_before > clip_norm) {
    report.clipped = true;
    report.scale = clip_norm / report.norm_before;
    for (auto& v : update) v = static_cast<float>(static_cast<double>(v) * report.scale);
  }
  return report;
}

GaussianMechanism::GaussianMechanism(double clip_norm, double noise_multiplier)
    : clip_norm_(clip_norm), noise_multiplier_(noise_multiplier) {
  check_clip_norm(clip_norm);
  if (!(noise_multiplier >= 0.0) || !std::isfinite(noise_multiplier))
    throw_input_error("privacy: noise multiplier z = {} must be >= 0 and finite", noise_multiplier);
}

ClipReport GaussianMechanism::apply(std::span<float> update, std::uint64_t seed,
                                    std::uint64_t stream) const {
  const ClipReport report = clip_l2(update, clip_norm_);
  const double sigma = noise_stddev();
  if (sigma == 0.0) return report;
  CounterRng rng(seed, stream);
  for (auto& v : update) v = static_cast<float>(static_cast<double>(v) + sigma * rng.normal());
  return report;
}

}  // namespace fedload::privacy
