#include "fedload/fl/defects.hpp"

#include <algorithm>
#include <cmath>

#include "fedload/core/error.hpp"
#include "fedload/core/rng.hpp"
#include "fedload/core/squared_l2.hpp"

namespace fedload::fl {
namespace {
constexpr std::uint64_t kDefectiveTag = 0x6465666563746976ULL;  // "defectiv"
}  // namespace

UpdateDefect update_defect_from_name(const std::string& name) {
  if (name == "noise") return UpdateDefect::kNoise;
  if (name == "sign_flip") return UpdateDefect::kSignFlip;
  return UpdateDefect::kNone;
}

std::string to_string(UpdateDefect defect) {
  switch (defect) {
    case UpdateDefect::kNone: return "none";
    case UpdateDefect::kNoise: return "noise";
    case UpdateDefect::kSignFlip: return "sign_flip";
  }
  return "?";
}

std::vector<std::size_t> defective_clients(std::uint64_t seed, std::size_t clients, double fraction) {
  if (!(fraction >= 0 && fraction <= 1))
    throw_input_error("defects.fraction = {}: the share of defective clients must be in [0, 1]", fraction);
  const auto count = static_cast<std::size_t>(std::llround(fraction * static_cast<double>(clients)));
  if (fraction > 0 && count == 0)
    throw_input_error("defects.fraction = {} of {} clients rounds to no defective client; raise it to at least {:.4g}",
                      fraction, clients, 0.5 / static_cast<double>(std::max<std::size_t>(clients, 1)));
  CounterRng rng(seed, kDefectiveTag);
  std::vector<std::size_t> order = rng.permutation(clients);
  order.resize(count);
  std::sort(order.begin(), order.end());
  return order;
}

void check_update_defect(UpdateDefect defect, double magnitude) {
  if (defect == UpdateDefect::kNone) return;
  if (!std::isfinite(magnitude))
    throw_input_error("defects.magnitude = {}: must be finite", magnitude);
  if (defect == UpdateDefect::kNoise && magnitude < 0)
    throw_input_error("defects.magnitude = {}: the noise's standard deviation (in units of the update's rms) "
                      "must be >= 0",
                      magnitude);
  if (defect == UpdateDefect::kSignFlip && magnitude <= 0)
    throw_input_error("defects.magnitude = {}: sign_flip sends -m times the update; m must be > 0", magnitude);
}

void apply_update_defect(UpdateDefect defect, double magnitude, std::span<float> update, std::uint64_t seed,
                         std::uint64_t stream) {
  check_update_defect(defect, magnitude);
  switch (defect) {
    case UpdateDefect::kNone: return;
    case UpdateDefect::kSignFlip:
      for (float& v : update) v = static_cast<float>(-magnitude * static_cast<double>(v));
      return;
    case UpdateDefect::kNoise: {
      if (update.empty()) return;
      const double sigma = magnitude * std::sqrt(squared_l2(update) / static_cast<double>(update.size()));
      CounterRng rng(seed, stream);
      for (float& v : update) v = static_cast<float>(static_cast<double>(v) + sigma * rng.normal());
      return;
    }
  }
}

}  // namespace fedload::fl
