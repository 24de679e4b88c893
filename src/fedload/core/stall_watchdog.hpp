#pragma once
// StallWatchdog: ends a process that has stopped making progress. One hung rank of a federated
// job (a deadlock, a stuck device, a peer waiting forever in a collective for it) would
// otherwise hold the whole allocation until the batch system's time limit, saying nothing.
// Progress is what note_progress reports (where the process is: every PhaseTimer reports the
// phase it starts, the federated driver each client it starts to train) and what note_heartbeat
// reports (that work goes on where it was: every optimizer step, every forecast batch, every
// client's data built). When nothing was reported for `timeout` seconds, the watchdog's own
// thread calls on_stall with the last place reported and the time since any report; the
// caller's on_stall says where the process is and ends it (fedload: run.stall_timeout).
// A process that reported waiting on its peers (a collective) gets kWaitingFactor times the
// timeout: it cannot tell a slow peer from a hung one, and the hung one, which is not waiting,
// fires first and names itself; if every process waits (a deadlock in communication), the job
// still ends, later.
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
  static constexpr double kWaitingFactor = 10.0;
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
  void heartbeat();
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
// processes (the watchdog allows kWaitingFactor times its timeout).
void note_progress(std::string_view what, std::int64_t round = 0, bool waits_on_peers = false);
// Work goes on where the last note_progress said (the place is kept); cheap: one atomic load
// without a watchdog, a lock and a clock read with one.
void note_heartbeat();

}  // namespace fedload
