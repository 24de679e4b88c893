#include "fedload/core/stall_watchdog.hpp"

#include <algorithm>
#include <atomic>

#include <fmt/format.h>

#include "fedload/core/error.hpp"

namespace fedload {

namespace {
std::atomic<StallWatchdog*> g_installed{nullptr};
}  // namespace

StallWatchdog::StallWatchdog(double timeout_seconds, OnStall on_stall)
    : timeout_(timeout_seconds), on_stall_(std::move(on_stall)), last_(std::chrono::steady_clock::now()) {
  if (!(timeout_seconds > 0.0)) throw_runtime_error("StallWatchdog: timeout must be > 0 seconds, got {}", timeout_seconds);
  StallWatchdog* none = nullptr;
  if (!g_installed.compare_exchange_strong(none, this))
    throw_runtime_error("StallWatchdog: a watchdog is already installed in this process");
  thread_ = std::thread([this] { watch(); });
}

StallWatchdog::~StallWatchdog() {
  g_installed.store(nullptr);
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void StallWatchdog::progress(std::string_view what, std::int64_t round, bool waits_on_peers) {
  std::lock_guard<std::mutex> lock(mu_);
  last_ = std::chrono::steady_clock::now();
  waiting_ = waits_on_peers;
  last_what_ = round > 0 ? fmt::format("{} (round {})", what, round) : std::string(what);
}

void StallWatchdog::heartbeat() {
  std::lock_guard<std::mutex> lock(mu_);
  last_ = std::chrono::steady_clock::now();
}

void StallWatchdog::watch() {
  using namespace std::chrono;
  // checks a few times per timeout, at least once a second
  const auto poll = duration_cast<steady_clock::duration>(duration<double>(std::min(1.0, timeout_ / 4.0)));
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    cv_.wait_for(lock, poll, [this] { return stop_; });
    if (stop_) break;
    const double idle = duration<double>(steady_clock::now() - last_).count();
    if (idle < (waiting_ ? kWaitingFactor * timeout_ : timeout_)) continue;
    const std::string what = waiting_ ? last_what_ + ", waiting for other processes" : last_what_;
    lock.unlock();
    on_stall_(what, idle);  // normally ends the process
    lock.lock();
    last_ = steady_clock::now();
  }
}

void note_heartbeat() {
  if (StallWatchdog* w = g_installed.load(std::memory_order_acquire)) w->heartbeat();
}

void note_progress(std::string_view what, std::int64_t round, bool waits_on_peers) {
  if (StallWatchdog* w = g_installed.load(std::memory_order_acquire)) w->progress(what, round, waits_on_peers);
}

}  // namespace fedload
