#pragma once
// Data-integrity attacks on a client's training load, for robustness experiments ([defects] in
// the config; the DearFSAC paper's defective utilities). The attack corrupts the cleaned load a
// defective client trains on; its validation and test spans, and every evaluation of it, keep
// the true load, so a run's test metrics say how well the model forecasts what really happened.
// `random` injects random multipliers into the load series, as J. Luo, T. Hong, S.-C. Fang,
// "Benchmarking robustness of load forecasting models under data integrity attacks",
// International Journal of Forecasting 34(1):89-104, 2018, did to benchmark load forecasters;
// `scaling` and `ramp` are the other usual false-data-injection templates of that literature.
// With magnitude λ, on an attacked day d and its steps s = 0..P-1 (P = steps per day):
//   scaling  x' = x (1 + λ)
//   ramp     x' = x (1 + λ r_s), r_s = 1 - |s - (P-1)/2| / ((P-1)/2): 0 at the day's first and
//            last step, 1 at its middle (between two steps for an even P: 0.957 at P = 24); needs
//            P >= 3 (InputError otherwise)
//   random   x' = x (1 + u), u ~ U(-λ, λ) drawn per step
// Attacked days are whole days of the training span: all of them (coverage 1) or a random
// `coverage` share. Everything is a pure function of (seed, client, slice): the same attack on
// any rank.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace fedload::data {

enum class AttackKind { kNone, kScaling, kRamp, kRandom };

// "none" | "scaling" | "ramp" | "random"; InputError otherwise
AttackKind parse_attack_kind(const std::string& name);
std::string to_string(AttackKind kind);
std::vector<std::string> attack_kind_names();  // "none" first

struct IntegrityAttack {
  AttackKind kind = AttackKind::kNone;
  double magnitude = 0.5;  // λ: finite; random needs 0 < λ <= 1 (a load never turns negative)
  double coverage = 1.0;   // share of the training days attacked, in (0, 1]
  std::uint64_t seed = 0;

  bool active() const { return kind != AttackKind::kNone; }
};

struct AttackReport {
  std::size_t days = 0;   // whole training days seen
  std::size_t attacked_days = 0;
  std::size_t attacked_steps = 0;
  double abs_change = 0;  // sum of |x' - x| over the attacked steps (original units)

  // mean |x' - x| over the attacked steps (0 when none)
  double mean_abs_change() const {
    return attacked_steps > 0 ? abs_change / static_cast<double>(attacked_steps) : 0.0;
  }
  // adds another slice's counts (a client owning several series), as CleaningReport::merge
  void merge(const AttackReport& other) {
    days += other.days;
    attacked_days += other.attacked_days;
    attacked_steps += other.attacked_steps;
    abs_change += other.abs_change;
  }
};

// InputError for a magnitude or coverage out of range (naming the key's meaning).
void check_attack(const IntegrityAttack& attack);

// Attacks load[0, train_end) in place, day by day from load[0] (a partial last day is attacked
// with the day it starts; day boundaries are counted from the span's first step). `stream`
// separates clients and slices (the caller mixes client and slice index into it).
AttackReport apply_integrity_attack(std::span<double> load, std::size_t train_end, std::size_t steps_per_day,
                                    const IntegrityAttack& attack, std::uint64_t stream);

}  // namespace fedload::data
