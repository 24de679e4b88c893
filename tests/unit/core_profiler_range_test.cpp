// The names Nsight shows for fedload's phases (and that jobs/profile/ncu.sh filters on).
#include <gtest/gtest.h>

#include "fedload/core/profiler_range.hpp"

namespace fedload {
namespace {

TEST(ProfilerRange, NameIsThePhaseAndTheRound) {
  EXPECT_EQ(profiler_range_name("local_train", 3), "local_train r3");
  EXPECT_EQ(profiler_range_name("aggregate", 120), "aggregate r120");
}

TEST(ProfilerRange, SetUpAndWorkOutsideTheRoundsIsThePhaseAlone) {
  EXPECT_EQ(profiler_range_name("setup", 0), "setup");
  EXPECT_EQ(profiler_range_name("write", 0), "write");
}

}  // namespace
}  // namespace fedload
