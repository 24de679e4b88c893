#pragma once
// Defective clients for robustness experiments ([defects] in the config; the DearFSAC paper's
// setting: some utilities send models that harm the federation). Which clients are defective is
// fixed for the whole run and a pure function of (seed, client count, fraction), so every rank
// agrees without a message. What a defective client does is either in its data (a data-integrity
// attack on its training load: data/integrity_attack.hpp) or in its update, here:
//   noise      communication noise: Δ' = Δ + N(0, (λ rms(Δ))²) per coordinate, rms(Δ) = ‖Δ‖/√d
//              (noise proportional to what is sent, so λ means the same at every round)
//   sign_flip  a malicious update: Δ' = −λ Δ (λ > 0; λ = 1 sends the opposite of what it learnt)
// Update defects act on the update as trained, before clipping, DP noise and encoding.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace fedload::fl {

enum class UpdateDefect { kNone, kNoise, kSignFlip };

// "noise" | "sign_flip" -> the defect; any other name -> kNone (a data attack or none)
UpdateDefect update_defect_from_name(const std::string& name);
std::string to_string(UpdateDefect defect);

// The defective clients: round(fraction * clients) ids drawn without replacement from a seeded
// permutation, sorted. fraction in [0, 1] (InputError otherwise); InputError when a positive
// fraction rounds to no client (the experiment would silently measure nothing).
std::vector<std::size_t> defective_clients(std::uint64_t seed, std::size_t clients, double fraction);

// Applies `defect` with magnitude λ to `update` in place; noise drawn from CounterRng(seed,
// stream) (the caller gives every (client, round) its own stream). InputError for λ not finite,
// λ < 0 for noise, λ <= 0 for sign_flip.
void apply_update_defect(UpdateDefect defect, double magnitude, std::span<float> update, std::uint64_t seed,
                         std::uint64_t stream);
// the same checks, without an update (at config time)
void check_update_defect(UpdateDefect defect, double magnitude);

}  // namespace fedload::fl
