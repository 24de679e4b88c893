#pragma once
// GaussianMechanism: client-level DP for one model update (the flat w_local - w_global buffer).
// The update is clipped to L2 norm <= C (scaled by min(1, C/||Δ||)) and N(0, (z C)^2) noise is
// added to every coordinate, drawn from CounterRng(seed, stream): the same (seed, stream) gives
// the same noise on any rank. Noise must never repeat, so the caller gives every (client, round)
// its own stream; reusing one would let differences of updates cancel the noise.
// The sensitivity is C, so the accountant's noise multiplier is z (sigma / C).
#include <cstdint>
#include <span>

namespace fedload::privacy {

struct ClipReport {
  double norm_before = 0;  // L2 norm of the update as given
  bool clipped = false;    // whether it was scaled down
  double scale = 1;        // min(1, C / norm_before)
};

// Scales `update` in place so that its L2 norm is at most clip_norm (> 0, finite; InputError
// otherwise); the scaling is done in double, so the float result's norm is clip_norm up to float
// rounding (relative ~1e-7). A non-finite value in the update is a runtime error naming its index.
ClipReport clip_l2(std::span<float> update, double clip_norm);

class GaussianMechanism {
 public:
  // clip_norm C > 0 and noise_multiplier z >= 0, both finite (InputError otherwise);
  // z = 0 only clips (no privacy, useful to measure clipping's own effect).
  GaussianMechanism(double clip_norm, double noise_multiplier);

  double clip_norm() const { return clip_norm_; }
  double noise_multiplier() const { return noise_multiplier_; }
  double noise_stddev() const { return noise_multiplier_ * clip_norm_; }

  // Clips `update` in place and adds the noise of (seed, stream).
  ClipReport apply(std::span<float> update, std::uint64_t seed, std::uint64_t stream) const;

 private:
  double clip_norm_;
  double noise_multiplier_;
};

}  // namespace fedload::privacy
