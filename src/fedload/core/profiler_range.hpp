#pragma once
// Profiler ranges: NVTX v3 push/pop ranges in the domain "fedload", seen by Nsight Systems and
// usable as Nsight Compute filters (`--nvtx-include "fedload@local_train*/"`). PhaseTimer opens
// one per phase; GPU backends open their own inside (train steps). Built with FEDLOAD_NVTX (set
// by CMake where the header-only NVTX v3 is found) or as empty calls otherwise. NVTX v3 loads
// a tool only when one is attached (NVTX_INJECTION64_PATH, set by nsys/ncu); without one each
// call returns at once.
#include <cstdint>
#include <string>
#include <string_view>

namespace fedload {

// Name of a phase's range: "local_train r3"; round 0 (set-up, anything outside the rounds)
// is the phase alone ("setup").
std::string profiler_range_name(std::string_view phase, std::int64_t round);

// Opens a range named `name` on the calling thread for the object's lifetime (or to end()).
// Ranges nest: the innermost must close first, on the thread that opened it.
class ProfilerRange {
 public:
  explicit ProfilerRange(const std::string& name) { push(name.c_str()); }
  explicit ProfilerRange(const char* name) { push(name); }
  ~ProfilerRange() { end(); }
  ProfilerRange(const ProfilerRange&) = delete;
  ProfilerRange& operator=(const ProfilerRange&) = delete;
  void end() {
    if (!open_) return;
    pop();
    open_ = false;
  }

 private:
  static void push(const char* name);
  static void pop();
  bool open_ = true;
};

}  // namespace fedload
