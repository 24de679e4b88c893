#pragma once
// A phase timer that also records the bytes the transport moved while it ran, and tells the
// StallWatchdog that what follows waits on other processes (a collective).
#include <cstdint>
#include <vector>

#include "fedload/comm/transport.hpp"
#include "fedload/core/phase_timer.hpp"

namespace fedload::app {

class TransportPhase {
 public:
  TransportPhase(std::vector<PhaseSample>& out, const char* phase, std::int64_t round, const comm::Transport& t)
      : timer_(out, phase, round, true), transport_(t), start_(t.counts()) {}
  ~TransportPhase() {
    const auto now = transport_.counts();
    timer_.add_bytes(now.bytes_sent - start_.bytes_sent, now.bytes_received - start_.bytes_received);
  }
  TransportPhase(const TransportPhase&) = delete;
  TransportPhase& operator=(const TransportPhase&) = delete;

 private:
  PhaseTimer timer_;  // stops after the destructor's body has added the bytes
  const comm::Transport& transport_;
  comm::TransferCounts start_;
};

}  // namespace fedload::app
