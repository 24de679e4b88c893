// The transport's host-side vocabulary: element sizes, buffers over spans, per-phase byte counts
// and the splitting of large transfers into calls an `int`-counted fabric can take.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "fedload/comm/transport.hpp"
#include "fedload/core/error.hpp"

namespace fedload::comm {
namespace {

TEST(CommBuffer, SizesAndBytesFollowTheElementType) {
  EXPECT_EQ(size_of(DataType::kByte), 1u);
  EXPECT_EQ(size_of(DataType::kFloat32), 4u);
  EXPECT_EQ(size_of(DataType::kFloat64), 8u);
  EXPECT_EQ(size_of(DataType::kInt64), 8u);
  std::vector<float> f(10);
  std::vector<double> d(3);
  std::vector<std::int64_t> i(5);
  std::vector<std::byte> b(7);
  const Buffer bf = buffer_of(std::span<float>(f));
  EXPECT_EQ(bf.data, f.data());
  EXPECT_EQ(bf.type, DataType::kFloat32);
  EXPECT_EQ(bf.space, MemorySpace::kHost);
  EXPECT_EQ(bf.bytes(), 40u);
  EXPECT_EQ(buffer_of(std::span<double>(d)).bytes(), 24u);
  EXPECT_EQ(buffer_of(std::span<std::int64_t>(i)).type, DataType::kInt64);
  EXPECT_EQ(buffer_of(std::span<std::byte>(b)).bytes(), 7u);
  const std::vector<std::int64_t>& ci = i;
  const ConstBuffer cb = const_buffer_of(std::span<const std::int64_t>(ci));
  EXPECT_EQ(cb.data, i.data());
  EXPECT_EQ(cb.bytes(), 40u);
  const ConstBuffer view = const_view(bf);
  EXPECT_EQ(view.data, f.data());
  EXPECT_EQ(view.count, 10u);
  EXPECT_EQ(view.type, DataType::kFloat32);
  EXPECT_STREQ(name_of(DataType::kInt64), "int64");
  EXPECT_STREQ(name_of(MemorySpace::kDevice), "device");
}

TEST(CommCounts, APhaseIsTheDifferenceOfTwoSnapshots) {
  const TransferCounts before{100, 40}, after{160, 45};
  const TransferCounts phase = after - before;
  EXPECT_EQ(phase.bytes_sent, 60u);
  EXPECT_EQ(phase.bytes_received, 5u);
}

TEST(CommChunks, RangesCoverEveryElementOnceWithinTheLimit) {
  for (std::size_t count : {0u, 1u, 2u, 3u, 10u, 11u, 12u, 1000u})
    for (std::size_t limit : {1u, 3u, 4u, 1000u, 5000u}) {
      const auto ranges = chunk_ranges(count, limit);
      std::size_t next = 0;
      for (const auto& r : ranges) {
        EXPECT_EQ(r.offset, next) << count << "/" << limit;
        EXPECT_GT(r.count, 0u);
        EXPECT_LE(r.count, limit);
        next += r.count;
      }
      EXPECT_EQ(next, count);
      EXPECT_EQ(ranges.size(), (count + limit - 1) / limit) << count << "/" << limit;
    }
}

TEST(CommChunks, MoreThanIntMaxElementsNeedSeveralCalls) {
  const std::size_t int_max = 2147483647u;
  const auto ranges = chunk_ranges(5000000000u, int_max);
  ASSERT_EQ(ranges.size(), 3u);
  EXPECT_EQ(ranges[0].count, int_max);
  EXPECT_EQ(ranges[1].offset, int_max);
  EXPECT_EQ(ranges[2].count, 5000000000u - 2 * int_max);
  EXPECT_THROW(chunk_ranges(10, 0), Error);
}

}  // namespace
}  // namespace fedload::comm
