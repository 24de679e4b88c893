// Which GPU each MPI rank uses (kernels::device_for_node_rank, what `fedload run` binds every
// rank to and records as the result file's rank_devices). Plain arithmetic: no GPU needed.
#include <gtest/gtest.h>

#include <vector>

#include "fedload/core/error.hpp"
#include "fedload/kernels/device_info.hpp"

namespace fedload::kernels {
namespace {

// the devices of ranks 0..ranks-1 of one node
std::vector<int> node_devices(int ranks, int devices) {
  std::vector<int> out;
  for (int r = 0; r < ranks; ++r) out.push_back(device_for_node_rank(r, devices));
  return out;
}

TEST(DeviceBinding, OneRankPerGpuGetsItsOwnGpu) {
  EXPECT_EQ(node_devices(4, 4), (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(node_devices(8, 8), (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7}));
}

TEST(DeviceBinding, MoreRanksThanGpusShareThemRoundRobin) {
  EXPECT_EQ(node_devices(6, 4), (std::vector<int>{0, 1, 2, 3, 0, 1}));
  EXPECT_EQ(node_devices(3, 1), (std::vector<int>{0, 0, 0}));  // CUDA_VISIBLE_DEVICES set per rank
}

TEST(DeviceBinding, FewerRanksThanGpusLeaveTheLastOnesIdle) {
  EXPECT_EQ(node_devices(2, 4), (std::vector<int>{0, 1}));
}

TEST(DeviceBinding, NoGpuMeansNoDevice) {
  EXPECT_EQ(node_devices(3, 0), (std::vector<int>{-1, -1, -1}));
}

TEST(DeviceBinding, NegativeRankOrCountIsAnInputError) {
  EXPECT_THROW(device_for_node_rank(-1, 4), InputError);
  EXPECT_THROW(device_for_node_rank(0, -2), InputError);
}

TEST(DeviceBinding, WithoutAVisibleGpuNothingIsBound) {
  std::string why;
  if (!query_devices(&why).empty())
    GTEST_SKIP() << "a GPU is visible: bind_device binds (tests/gpu)";
  EXPECT_EQ(bind_device(0), -1);
  EXPECT_EQ(bind_device(5), -1);
}

}  // namespace
}  // namespace fedload::kernels
