#include "fedload/data/integrity_attack.hpp"

#include <algorithm>
#include <cmath>

#include "fedload/core/error.hpp"
#include "fedload/core/rng.hpp"

namespace fedload::data {
namespace {

constexpr std::uint64_t kDaysTag = 0x61747461636b5f64ULL;   // "attack_d": which days
constexpr std::uint64_t kStepsTag = 0x61747461636b5f73ULL;  // "attack_s": random factors

}  // namespace

std::vector<std::string> attack_kind_names() { return {"none", "scaling", "ramp", "random"}; }

AttackKind parse_attack_kind(const std::string& name) {
  if (name == "none") return AttackKind::kNone;
  if (name == "scaling") return AttackKind::kScaling;
  if (name == "ramp") return AttackKind::kRamp;
  if (name == "random") return AttackKind::kRandom;
  throw_input_error("unknown data-integrity attack \"{}\" (none, scaling, ramp, random)", name);
}

std::string to_string(AttackKind kind) {
  switch (kind) {
    case AttackKind::kNone: return "none";
    case AttackKind::kScaling: return "scaling";
    case AttackKind::kRamp: return "ramp";
    case AttackKind::kRandom: return "random";
  }
  return "?";
}

void check_attack(const IntegrityAttack& a) {
  if (!a.active()) return;
  if (!std::isfinite(a.magnitude) || a.magnitude == 0)
    throw_input_error("defects.magnitude = {}: a {} attack needs a finite, non-zero magnitude", a.magnitude,
                      to_string(a.kind));
  if (a.kind == AttackKind::kRandom && !(a.magnitude > 0 && a.magnitude <= 1))
    throw_input_error("defects.magnitude = {}: the random attack multiplies each step by 1 + u, u ~ U(-m, m); "
                      "it needs 0 < m <= 1 so that a load never turns negative",
                      a.magnitude);
  if ((a.kind == AttackKind::kScaling || a.kind == AttackKind::kRamp) && a.magnitude <= -1)
    throw_input_error("defects.magnitude = {}: a {} attack multiplies the load by up to 1 + m; m <= -1 would "
                      "turn it zero or negative",
                      a.magnitude, to_string(a.kind));
  if (!(a.coverage > 0 && a.coverage <= 1))
    throw_input_error("defects.coverage = {}: the share of training days attacked must be in (0, 1]", a.coverage);
}

AttackReport apply_integrity_attack(std::span<double> load, std::size_t train_end, std::size_t steps_per_day,
                                    const IntegrityAttack& a, std::uint64_t stream) {
  AttackReport r;
  if (!a.active() || train_end == 0) return r;
  check_attack(a);
  if (steps_per_day == 0) throw_runtime_error("integrity attack: zero steps per day");
  if (a.kind == AttackKind::kRamp && steps_per_day < 3)
    throw_input_error("defects.kind = ramp rises and falls within each day; data with {} step(s) per day has no "
                      "day to ramp over (use scaling or random)",
                      steps_per_day);
  train_end = std::min(train_end, load.size());
  const std::size_t P = steps_per_day;
  r.days = (train_end + P - 1) / P;
  // the attacked days: all, or the first round(coverage * days) of a seeded permutation
  std::vector<char> attacked(r.days, 1);
  if (a.coverage < 1) {
    const auto keep = static_cast<std::size_t>(
        std::clamp<double>(std::llround(a.coverage * static_cast<double>(r.days)), 1.0, static_cast<double>(r.days)));
    CounterRng rng(a.seed, mix64(kDaysTag ^ stream));
    const std::vector<std::size_t> order = rng.permutation(r.days);
    std::fill(attacked.begin(), attacked.end(), 0);
    for (std::size_t i = 0; i < keep; ++i) attacked[order[i]] = 1;
  }
  CounterRng noise(a.seed, mix64(kStepsTag ^ stream));
  const double half = P > 1 ? static_cast<double>(P - 1) / 2.0 : 1.0;
  for (std::size_t d = 0; d < r.days; ++d) {
    if (!attacked[d]) continue;
    ++r.attacked_days;
    const std::size_t end = std::min(train_end, (d + 1) * P);
    for (std::size_t t = d * P; t < end; ++t) {
      const auto s = static_cast<double>(t - d * P);
      double factor = 1;
      switch (a.kind) {
        case AttackKind::kScaling: factor = 1 + a.magnitude; break;
        case AttackKind::kRamp: factor = 1 + a.magnitude * (1 - std::abs(s - half) / half); break;
        case AttackKind::kRandom: {
          // one draw per step, attacked or not, so the factor of a step does not depend on coverage
          noise.set_counter(t);
          factor = 1 + noise.uniform(-a.magnitude, a.magnitude);
          break;
        }
        case AttackKind::kNone: break;
      }
      const double before = load[t];
      load[t] = before * factor;
      r.abs_change += std::abs(load[t] - before);
      ++r.attacked_steps;
    }
  }
  return r;
}

}  // namespace fedload::data
