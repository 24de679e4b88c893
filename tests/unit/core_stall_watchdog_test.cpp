// StallWatchdog: fires once nothing was reported for its timeout (kWaitingFactor times that after
// a report of waiting on peers), names the last place reported, is postponed by progress and
// heartbeats, and is the only one installed. Timeouts are long against the reporting interval, so a loaded machine cannot make
// these flaky; the assertions on idle time follow from the rule, not from a clock's speed.
#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "fedload/core/error.hpp"
#include "fedload/core/phase_timer.hpp"
#include "fedload/core/stall_watchdog.hpp"

namespace fedload {
namespace {

using namespace std::chrono_literals;

struct Fired {
  std::mutex mu;
  int times = 0;
  std::string what;
  double idle = 0.0;

  StallWatchdog::OnStall callback() {
    return [this](const std::string& w, double i) {
      std::lock_guard<std::mutex> lock(mu);
      if (++times == 1) {
        what = w;
        idle = i;
      }
    };
  }
  int count() {
    std::lock_guard<std::mutex> lock(mu);
    return times;
  }
};

bool wait_until_fired(Fired& f, std::chrono::seconds bound) {
  const auto end = std::chrono::steady_clock::now() + bound;
  while (f.count() == 0 && std::chrono::steady_clock::now() < end) std::this_thread::sleep_for(5ms);
  return f.count() > 0;
}

TEST(StallWatchdog, FiresAfterTheTimeoutNamingTheLastProgress) {
  Fired f;
  StallWatchdog w(0.2, f.callback());
  note_progress("local_train of client 7", 3);
  ASSERT_TRUE(wait_until_fired(f, 20s));
  EXPECT_EQ(f.what, "local_train of client 7 (round 3)");
  EXPECT_GE(f.idle, 0.2);
}

TEST(StallWatchdog, ProgressPostponesIt) {
  Fired f;
  {
    StallWatchdog w(1.0, f.callback());
    const auto end = std::chrono::steady_clock::now() + 2s;
    for (int i = 0; std::chrono::steady_clock::now() < end; ++i) {
      note_progress("step " + std::to_string(i));
      std::this_thread::sleep_for(10ms);
    }
  }  // destroyed while progress is fresh: stops without firing
  EXPECT_EQ(f.count(), 0);
}

TEST(StallWatchdog, PhaseTimerReportsItsPhase) {
  Fired f;
  StallWatchdog w(0.2, f.callback());
  std::vector<PhaseSample> samples;
  PhaseTimer t(samples, "aggregate", 5);
  ASSERT_TRUE(wait_until_fired(f, 20s));
  EXPECT_EQ(f.what, "aggregate (round 5)");
}

TEST(StallWatchdog, WaitingOnPeersGetsTheWaitingFactor) {
  Fired f;
  StallWatchdog w(0.05, f.callback());
  note_progress("communicate", 2, true);
  ASSERT_TRUE(wait_until_fired(f, 20s));
  EXPECT_EQ(f.what, "communicate (round 2), waiting for other processes");
  EXPECT_GE(f.idle, StallWatchdog::kWaitingFactor * 0.05);
}

TEST(StallWatchdog, HeartbeatsKeepItQuietAndKeepThePlace) {
  Fired f;
  StallWatchdog w(1.0, f.callback());
  note_progress("local_train of client 3", 4);
  const auto end = std::chrono::steady_clock::now() + 2s;
  while (std::chrono::steady_clock::now() < end) {
    note_heartbeat();
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(f.count(), 0);
  ASSERT_TRUE(wait_until_fired(f, 20s));  // the heartbeats stopped
  EXPECT_EQ(f.what, "local_train of client 3 (round 4)");
}

TEST(StallWatchdog, OneAtATimeAndAPositiveTimeout) {
  Fired f;
  EXPECT_THROW(StallWatchdog(0.0, f.callback()), Error);
  {
    StallWatchdog w(100.0, f.callback());
    EXPECT_THROW(StallWatchdog(100.0, f.callback()), Error);
  }
  StallWatchdog again(100.0, f.callback());  // the first uninstalled itself
  note_progress("nothing to see");
  EXPECT_EQ(f.count(), 0);
}

}  // namespace
}  // namespace fedload
