#pragma once
// Wall-clock timing of the phases of a run (setup, broadcast, local_train, ... write). The
// timer is the one object that opens the phases' profiler ranges (NVTX, domain "fedload",
// named "local_train r3": profiler_range.hpp), so the ranges and the result file's timing
// table always name the same phases; it also reports each phase it starts to the process's
// StallWatchdog, if one is installed.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "fedload/core/profiler_range.hpp"
#include "fedload/core/stall_watchdog.hpp"

namespace fedload {

struct PhaseSample {
  std::string phase;
  std::int64_t round = 0;  // federated round (0: set-up and anything outside the rounds)
  double seconds = 0.0;
  std::uint64_t bytes_sent = 0;
  std::uint64_t bytes_received = 0;
};

class PhaseTimer {
 public:
  // Times from construction to stop() (or destruction) and appends to `out`; the profiler range
  // is open for the same span.
  // waits_on_peers: the phase is a collective (the StallWatchdog allows for the peers)
  PhaseTimer(std::vector<PhaseSample>& out, std::string phase, std::int64_t round = 0, bool waits_on_peers = false)
      : out_(&out),
        phase_(std::move(phase)),
        round_(round),
        range_(profiler_range_name(phase_, round_)),
        start_(std::chrono::steady_clock::now()) {
    note_progress(phase_, round_, waits_on_peers);  // the start of a phase is progress (StallWatchdog)
  }
  ~PhaseTimer() { stop(); }
  PhaseTimer(const PhaseTimer&) = delete;
  PhaseTimer& operator=(const PhaseTimer&) = delete;

  void add_bytes(std::uint64_t sent, std::uint64_t received) {
    sent_ += sent;
    received_ += received;
  }
  double stop() {
    if (!out_) return 0.0;
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    range_.end();
    out_->push_back({phase_, round_, s, sent_, received_});
    out_ = nullptr;
    return s;
  }

 private:
  std::vector<PhaseSample>* out_;
  std::string phase_;
  std::int64_t round_ = 0;
  ProfilerRange range_;
  std::chrono::steady_clock::time_point start_;
  std::uint64_t sent_ = 0, received_ = 0;
};

}  // namespace fedload
