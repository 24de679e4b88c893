// The eager / warm-up / capture / replay decision of a GPU training step (graph_replay.hpp).
#include "fedload/kernels/graph_replay.hpp"

#include <string_view>

namespace fedload::kernels {

GraphReplayPolicy::GraphReplayPolicy(bool enabled, std::string why_disabled)
    : enabled_(enabled), why_disabled_(std::move(why_disabled)) {}

StepAction GraphReplayPolicy::next(int batch, int loss) {
  if (!enabled_ || refused()) return StepAction::kEager;
  const auto it = keys_.find({batch, loss});
  if (it == keys_.end()) {
    keys_[{batch, loss}] = KeyState::kWarm;
    return StepAction::kWarmUp;
  }
  return it->second == KeyState::kCaptured ? StepAction::kReplay : StepAction::kCapture;
}

void GraphReplayPolicy::captured(int batch, int loss) {
  keys_[{batch, loss}] = KeyState::kCaptured;
}

void GraphReplayPolicy::refuse(std::string reason) {
  // fedload's error messages start with the source file's full path: keep its name only, and
  // keep the reason short enough for a benchmark label
  const std::size_t colon = reason.find(':');
  const std::size_t slash = reason.rfind('/', colon);
  if (colon != std::string::npos && slash != std::string::npos) reason.erase(0, slash + 1);
  constexpr std::size_t kMaxChars = 240;
  if (reason.size() > kMaxChars) reason = reason.substr(0, kMaxChars - 3) + "...";
  refused_ = reason.empty() ? std::string("unknown reason") : std::move(reason);
  keys_.clear();
}

void GraphReplayPolicy::reset(std::string refused) {
  refused_ = std::move(refused);
  keys_.clear();
}

std::string GraphReplayPolicy::describe() const {
  if (!enabled_)
    return why_disabled_.empty() ? std::string("eager") : "eager (" + why_disabled_ + ")";
  if (refused()) return "eager (capture refused: " + refused_ + ")";
  return "graph";
}

bool tf32_disabled_by_environment(const char* nvidia_tf32_override) {
  return nvidia_tf32_override && std::string_view(nvidia_tf32_override) == "0";
}

}  // namespace fedload::kernels
