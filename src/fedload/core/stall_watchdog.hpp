#pragma once
// StallWatchdog: ends a process that has stopped making progress. One hung rank of a federated
// job (a deadlock, a stuck device, a peer waiting forever in a collective for it) would
// otherwise hold the whole allocation until the batch system's time limit, saying nothing.
// Progress is what note_progress reports: every PhaseTimer reports the phase it starts, and the
// federated driver reports each client it starts to train. When nothing was reported for
// `timeout` seconds, the watchdog's own thread calls on_stall with the last report and its age;
// the caller's on_stall says where the process is and ends it (fedload: run.stall_timeout).
// A process that reported waiting on its peers (a collective) gets twice the timeout, so that
// when one rank hangs, the hung rank's watchdog fires first and its message names the culprit,
// not a rank that was only waiting for it.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace fedload {

class StallWatchdog {
 public:
  using OnStall = std::function<void(const std::string& last_progress, double idle_seconds)>;

  // timeout_seconds > 0 (an Error otherwise). Installs itself as the process's watchdog, the
  // one note_progress reports to; only one may be installed at a time (an Error otherwise).
  // If on_stall returns, the watchdog starts counting again from that moment.
  StallWatchdog(double timeout_seconds, OnStall on_stall);
  // Stops the thread and uninstalls. Must run on the thread that calls note_progress.
  ~StallWatchdog();
  StallWatchdog(const StallWatchdog&) = delete;
  StallWatchdog& operator=(const StallWatchdog&) = delete;

  void progress(std::string_view what, std::int64_t round, bool waits_on_peers);
  double timeout_seconds() const { return timeout_; }

 private:
  void watch();

  double timeout_;
  OnStall on_stall_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::chrono::steady_clock::time_point last_;
  std::string last_what_ = "start";
  bool waiting_ = false;
  std::thread thread_;
};

// Reports progress to the installed watchdog; with none installed, one atomic load.
// `round` 0 means outside the federated rounds; waits_on_peers: what follows is a wait for other
// processes (the watchdog allows twice its timeout).
void note_progress(std::string_view what, std::int64_t round = 0, bool waits_on_peers = false);

}  // namespace fedload
