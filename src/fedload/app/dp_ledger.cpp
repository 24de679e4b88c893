#include "fedload/app/dp_ledger.hpp"

#include <algorithm>
#include <cmath>

#include "fedload/core/error.hpp"
#include "fedload/core/rng.hpp"

namespace fedload::app {

namespace {
constexpr std::uint64_t kCentralTag = 0x64705f63656e7472ULL;  // "dp_centr"
}  // namespace

DpLedger::DpLedger(DpMode mode, std::size_t clients, double noise_multiplier, double delta, double q,
                   privacy::Sampling sampling)
    : mode_(mode), releases_(clients, 0), z_(noise_multiplier), delta_(delta), q_(q), sampling_(sampling) {
  if (!(noise_multiplier > 0.0) || !std::isfinite(noise_multiplier))
    throw_input_error("dp.mode = \"{}\" needs dp.noise_multiplier > 0 (got {}): without noise there is no privacy "
                      "guarantee to account",
                      mode == DpMode::kLocal ? "local" : "central", noise_multiplier);
  if (!(delta > 0.0 && delta < 1.0)) throw_input_error("dp.delta = {} must be in (0, 1)", delta);
  if (!(q > 0.0 && q <= 1.0)) throw_input_error("dp: sampling rate q = {} must be in (0, 1]", q);
}

void DpLedger::record(const std::vector<std::int64_t>& selected) {
  if (mode_ == DpMode::kCentral) {
    ++most_;  // every round is one sampled Gaussian step for every client
    return;
  }
  for (const auto c : selected) {
    auto& n = releases_.at(static_cast<std::size_t>(c));
    most_ = std::max(most_, ++n);
  }
}

privacy::PrivacySpent DpLedger::spent() const {
  if (most_ == 0) return {};  // nothing released yet
  privacy::RdpAccountant a;
  // local: a client's data can move its clipped update anywhere in the ball of radius C, so two
  // neighbouring releases differ by up to 2C: the noise zC is z/2 sensitivities. central,
  // Poisson: adding or removing one client moves the fixed-denominator sum by at most C (scaled):
  // z. central, without replacement: replacing one client's data moves it by up to 2C: z/2.
  if (mode_ == DpMode::kLocal)
    a.add_steps(1.0, z_ / 2.0, most_);
  else if (sampling_ == privacy::Sampling::kPoisson)
    a.add_steps(q_, z_, most_);
  else
    a.add_steps(q_, z_ / 2.0, most_, privacy::Sampling::kWithoutReplacement);
  return a.epsilon(delta_);
}

void add_central_noise(std::span<float> global, double sigma, std::uint64_t seed, std::int64_t round) {
  CounterRng rng(seed, mix64(kCentralTag ^ static_cast<std::uint64_t>(round)));
  for (float& v : global) v = static_cast<float>(static_cast<double>(v) + sigma * rng.normal());
}

}  // namespace fedload::app
