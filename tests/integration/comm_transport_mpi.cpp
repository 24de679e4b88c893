// Every Transport collective under mpirun (started by comm_transport_mpirun_test.cpp with 1, 2,
// 3 and 5 ranks). Inputs are seeded from the rank, so every result is known exactly on every
// rank; each check runs twice: on the default transport and on one that splits every transfer
// into calls of at most 3 elements (the INT_MAX-element splitting, made visible). Byte counts are
// checked against the rules in transport.hpp.
//
// Rank 0 prints GoogleTest's report; other ranks print only their failures, prefixed by rank.
// Only conditions that are the same on every rank may end a test early (ASSERT), so no rank is
// left alone in a collective. The exit code is the same on every rank.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "fedload/comm/mpi_session.hpp"
#include "fedload/comm/mpi_transport.hpp"
#include "fedload/core/error.hpp"

namespace fedload::comm {
namespace {

constexpr std::size_t kChunk = 3;

struct Setup {
  const MpiSession* session = nullptr;
  std::vector<std::unique_ptr<Transport>> transports;  // [0] default, [1] chunks of kChunk
} g;

class TransportCheck : public ::testing::TestWithParam<int> {
 protected:
  Transport& t() { return *g.transports[static_cast<std::size_t>(GetParam())]; }
  int P() { return t().size(); }
  int me() { return t().rank(); }
  std::uint64_t others() { return static_cast<std::uint64_t>(P() - 1); }
  // counts since the last call of this function
  TransferCounts step() {
    const TransferCounts now = t().counts(), d = now - last_;
    last_ = now;
    return d;
  }
  void SetUp() override { last_ = t().counts(); }

 private:
  TransferCounts last_;
};

#define EXPECT_COUNTS(delta, sent, received)               \
  do {                                                     \
    const TransferCounts d_ = (delta);                     \
    EXPECT_EQ(d_.bytes_sent, (sent)) << "bytes sent";      \
    EXPECT_EQ(d_.bytes_received, (received)) << "bytes received"; \
  } while (0)

TEST_P(TransportCheck, NameRankSizeAndMemorySpaces) {
  EXPECT_EQ(t().name(), "mpi");
  EXPECT_EQ(t().rank(), g.session->rank());
  EXPECT_EQ(t().size(), g.session->size());
  EXPECT_TRUE(t().supports(MemorySpace::kHost));
  EXPECT_FALSE(t().supports(MemorySpace::kDevice));
}

// the global model from the root, for every element type and two roots
TEST_P(TransportCheck, BroadcastGivesEveryRankTheRootsBuffer) {
  for (int root : {0, P() - 1}) {
    const std::size_t n = 1001;
    std::vector<float> f(n, -1.0f);
    std::vector<double> d(n, -1.0);
    std::vector<std::int64_t> i(n, -1);
    std::vector<std::byte> b(n, std::byte{0});
    if (me() == root)
      for (std::size_t k = 0; k < n; ++k) {
        f[k] = 0.25f * static_cast<float>(k) + static_cast<float>(root);
        d[k] = 1e-3 * static_cast<double>(k) - root;
        i[k] = (std::int64_t{1} << 60) + static_cast<std::int64_t>(k) * 7 + root;
        b[k] = static_cast<std::byte>((k * 13 + static_cast<std::size_t>(root)) & 0xff);
      }
    t().broadcast(buffer_of(std::span<float>(f)), root);
    t().broadcast(buffer_of(std::span<double>(d)), root);
    t().broadcast(buffer_of(std::span<std::int64_t>(i)), root);
    t().broadcast(buffer_of(std::span<std::byte>(b)), root);
    std::size_t wrong = 0;
    for (std::size_t k = 0; k < n; ++k) {
      wrong += f[k] != 0.25f * static_cast<float>(k) + static_cast<float>(root);
      wrong += d[k] != 1e-3 * static_cast<double>(k) - root;
      wrong += i[k] != (std::int64_t{1} << 60) + static_cast<std::int64_t>(k) * 7 + root;
      wrong += b[k] != static_cast<std::byte>((k * 13 + static_cast<std::size_t>(root)) & 0xff);
    }
    EXPECT_EQ(wrong, 0u) << "root " << root;
    const std::uint64_t bytes = n * (4 + 8 + 8 + 1);
    if (me() == root)
      EXPECT_COUNTS(step(), bytes * others(), 0u);
    else
      EXPECT_COUNTS(step(), 0u, bytes);
  }
}

// int64 values above 2^53 (where float64 would round), mixed signs: the sum is exact
std::int64_t int64_input(int rank, std::size_t k) {
  const std::int64_t magnitude = (std::int64_t{1} << 55) + 3 * static_cast<std::int64_t>(k) + rank;
  return ((k + static_cast<std::size_t>(rank)) % 3 == 0) ? -magnitude : magnitude;
}

TEST_P(TransportCheck, Int64ReduceSumIsExact) {
  const std::size_t n = 1000;
  std::vector<std::int64_t> mine(n), sum(me() == 0 ? n : 0, 99);
  for (std::size_t k = 0; k < n; ++k) mine[k] = int64_input(me(), k);
  t().reduce_sum(const_buffer_of(std::span<const std::int64_t>(mine)), buffer_of(std::span<std::int64_t>(sum)), 0);
  if (me() == 0) {
    std::size_t wrong = 0, first = n;
    for (std::size_t k = 0; k < n; ++k) {
      std::int64_t want = 0;
      for (int r = 0; r < P(); ++r) want += int64_input(r, k);
      if (sum[k] != want && wrong++ == 0) first = k;
    }
    EXPECT_EQ(wrong, 0u) << "first wrong element " << first;
    EXPECT_COUNTS(step(), 0u, n * 8 * others());
  } else {
    EXPECT_COUNTS(step(), n * 8, 0u);
  }
}

// float64 and float32 inputs that are small multiples of 1/8: every partial sum is exact, so
// the result is known exactly whatever order the fabric adds in
TEST_P(TransportCheck, FloatReduceSumToAnyRoot) {
  const std::size_t n = 777;
  const int root = P() / 2;
  std::vector<double> d(n), dsum(me() == root ? n : 0);
  std::vector<float> f(n), fsum(me() == root ? n : 0);
  for (std::size_t k = 0; k < n; ++k) {
    d[k] = 0.125 * static_cast<double>((me() + 1) * static_cast<int>(k % 97)) - 3.0;
    f[k] = 0.5f * static_cast<float>(me()) - 0.125f * static_cast<float>(k % 11);
  }
  t().reduce_sum(const_buffer_of(std::span<const double>(d)), buffer_of(std::span<double>(dsum)), root);
  t().reduce_sum(const_buffer_of(std::span<const float>(f)), buffer_of(std::span<float>(fsum)), root);
  if (me() == root) {
    std::size_t wrong = 0;
    for (std::size_t k = 0; k < n; ++k) {
      double wd = 0.0;
      float wf = 0.0f;
      for (int r = 0; r < P(); ++r) {
        wd += 0.125 * static_cast<double>((r + 1) * static_cast<int>(k % 97)) - 3.0;
        wf += 0.5f * static_cast<float>(r) - 0.125f * static_cast<float>(k % 11);
      }
      wrong += dsum[k] != wd;
      wrong += fsum[k] != wf;
    }
    EXPECT_EQ(wrong, 0u);
    EXPECT_COUNTS(step(), 0u, n * 12 * others());
  } else {
    EXPECT_COUNTS(step(), n * 12, 0u);
  }
}

TEST_P(TransportCheck, ReduceSumInPlaceOnRoot) {
  const std::size_t n = 50;
  std::vector<std::int64_t> v(n);
  for (std::size_t k = 0; k < n; ++k) v[k] = int64_input(me(), k);
  t().reduce_sum(const_buffer_of(std::span<const std::int64_t>(v)),
                 me() == 0 ? buffer_of(std::span<std::int64_t>(v)) : Buffer{}, 0);
  if (me() == 0) {
    std::size_t wrong = 0;
    for (std::size_t k = 0; k < n; ++k) {
      std::int64_t want = 0;
      for (int r = 0; r < P(); ++r) want += int64_input(r, k);
      wrong += v[k] != want;
    }
    EXPECT_EQ(wrong, 0u);
  }
}

TEST_P(TransportCheck, AllreduceMaxAndSumOnEveryRank) {
  const std::size_t n = 10;
  std::vector<double> dmax(n), dsum(n);
  std::vector<std::int64_t> imax(n), isum(n);
  for (std::size_t k = 0; k < n; ++k) {
    const double x = static_cast<double>(k) - 0.5 * me();  // largest on rank 0
    dmax[k] = k % 2 ? x : -x;                                 // or on the last rank
    dsum[k] = 0.25 * static_cast<double>(me() * static_cast<int>(k));
    imax[k] = (me() == static_cast<int>(k) % P()) ? (std::int64_t{1} << 62) + static_cast<std::int64_t>(k) : -me();
    isum[k] = int64_input(me(), k);
  }
  t().allreduce_max(buffer_of(std::span<double>(dmax)));
  t().allreduce_max(buffer_of(std::span<std::int64_t>(imax)));
  t().allreduce_sum(buffer_of(std::span<double>(dsum)));
  t().allreduce_sum(buffer_of(std::span<std::int64_t>(isum)));
  std::size_t wrong = 0;
  for (std::size_t k = 0; k < n; ++k) {
    const double kd = static_cast<double>(k);
    const double want_dmax = k % 2 ? kd : -kd + 0.5 * (P() - 1);
    double want_dsum = 0.0;
    std::int64_t want_isum = 0;
    for (int r = 0; r < P(); ++r) {
      want_dsum += 0.25 * static_cast<double>(r * static_cast<int>(k));
      want_isum += int64_input(r, k);
    }
    wrong += dmax[k] != want_dmax;
    wrong += imax[k] != (std::int64_t{1} << 62) + static_cast<std::int64_t>(k);
    wrong += dsum[k] != want_dsum;
    wrong += isum[k] != want_isum;
  }
  EXPECT_EQ(wrong, 0u);
  EXPECT_COUNTS(step(), n * 32 * others(), n * 32 * others());
}

// rank r's payload: (13·r) mod 17 bytes (rank 0's is empty), byte j = 31·r + j
std::vector<std::byte> payload(int rank) {
  std::vector<std::byte> p(static_cast<std::size_t>(13 * rank % 17));
  for (std::size_t j = 0; j < p.size(); ++j) p[j] = static_cast<std::byte>((31 * rank + static_cast<int>(j)) & 0xff);
  return p;
}

std::uint64_t payload_bytes_except(int P, int rank) {
  std::uint64_t s = 0;
  for (int r = 0; r < P; ++r)
    if (r != rank) s += payload(r).size();
  return s;
}

TEST_P(TransportCheck, GatherBytesOfDifferentSizesInRankOrder) {
  const auto mine = payload(me());
  for (int root : {0, P() - 1}) {
    const auto all = t().gather_bytes(mine, root);
    if (me() == root) {
      ASSERT_EQ(all.size(), static_cast<std::size_t>(P()));
      for (int r = 0; r < P(); ++r) EXPECT_EQ(all[static_cast<std::size_t>(r)], payload(r)) << "from rank " << r;
      EXPECT_COUNTS(step(), 0u, payload_bytes_except(P(), me()));
    } else {
      EXPECT_TRUE(all.empty());
      EXPECT_COUNTS(step(), mine.size(), 0u);
    }
  }
}

TEST_P(TransportCheck, AllgatherBytesGivesEveryRankEveryPayload) {
  const auto mine = payload(me());
  const auto all = t().allgather_bytes(mine);
  ASSERT_EQ(all.size(), static_cast<std::size_t>(P()));
  for (int r = 0; r < P(); ++r) EXPECT_EQ(all[static_cast<std::size_t>(r)], payload(r)) << "from rank " << r;
  EXPECT_COUNTS(step(), mine.size() * others(), payload_bytes_except(P(), me()));
  // every payload empty: nothing moves, every rank gets P empty payloads
  const auto none = t().allgather_bytes({});
  ASSERT_EQ(none.size(), static_cast<std::size_t>(P()));
  for (const auto& p : none) EXPECT_TRUE(p.empty());
  EXPECT_COUNTS(step(), 0u, 0u);
}

TEST_P(TransportCheck, ScatterBytesGivesEachRankItsOwnPayload) {
  for (int root : {0, P() - 1}) {
    std::vector<std::vector<std::byte>> per_rank;
    if (me() == root)
      for (int r = 0; r < P(); ++r) per_rank.push_back(r == 0 && P() > 1 ? std::vector<std::byte>{} : payload(r));
    const auto mine = t().scatter_bytes(per_rank, root);
    const auto want = me() == 0 && P() > 1 ? std::vector<std::byte>{} : payload(me());  // rank 0 gets nothing
    EXPECT_EQ(mine, want) << "root " << root;
    if (me() == root) {
      std::uint64_t sent = 0;
      for (int r = 0; r < P(); ++r)
        if (r != root && !(r == 0 && P() > 1)) sent += payload(r).size();
      EXPECT_COUNTS(step(), sent, 0u);
    } else {
      EXPECT_COUNTS(step(), 0u, want.size());
    }
  }
}

TEST_P(TransportCheck, BroadcastBytesCarriesTheSize) {
  const int root = P() - 1;
  for (std::size_t n : {std::size_t{37}, std::size_t{0}}) {
    std::vector<std::byte> bytes(me() == root ? n : 5 + static_cast<std::size_t>(me()), std::byte{0x55});
    if (me() == root)
      for (std::size_t j = 0; j < n; ++j) bytes[j] = static_cast<std::byte>(j * 7);
    t().broadcast_bytes(bytes, root);
    ASSERT_EQ(bytes.size(), n);
    for (std::size_t j = 0; j < n; ++j) EXPECT_EQ(bytes[j], static_cast<std::byte>(j * 7)) << j;
    if (me() == root)
      EXPECT_COUNTS(step(), n * others(), 0u);
    else
      EXPECT_COUNTS(step(), 0u, n);
  }
}

// over a mix of every collective, every byte one rank counts as sent another counts as received
TEST_P(TransportCheck, BytesSentOverAllRanksEqualBytesReceived) {
  std::vector<double> model(123, 1.0), sum(123);
  t().broadcast(buffer_of(std::span<double>(model)), P() - 1);
  t().reduce_sum(const_view(buffer_of(std::span<double>(model))), buffer_of(std::span<double>(sum)), 0);
  t().allreduce_max(buffer_of(std::span<double>(model)));
  const auto mine = payload(me());
  t().gather_bytes(mine, P() / 2);
  t().allgather_bytes(mine);
  std::vector<std::byte> key(me() == 0 ? 9 : 0);
  t().broadcast_bytes(key, 0);
  std::vector<std::vector<std::byte>> per_rank;
  if (me() == P() - 1)
    for (int r = 0; r < P(); ++r) per_rank.push_back(payload(r));
  t().scatter_bytes(per_rank, P() - 1);
  t().barrier();
  const TransferCounts c = step();
  std::int64_t totals[2] = {static_cast<std::int64_t>(c.bytes_sent), static_cast<std::int64_t>(c.bytes_received)};
  ASSERT_EQ(MPI_Allreduce(MPI_IN_PLACE, totals, 2, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD), MPI_SUCCESS);
  EXPECT_EQ(totals[0], totals[1]);
  if (P() == 1) EXPECT_EQ(totals[0], 0);
  else EXPECT_GT(totals[0], 0);
}

TEST_P(TransportCheck, DeviceBuffersAreRefusedBeforeAnythingMoves) {
  std::vector<float> host(4, 1.0f);
  Buffer device = buffer_of(std::span<float>(host));
  device.space = MemorySpace::kDevice;
  try {
    t().broadcast(device, 0);
    ADD_FAILURE() << "broadcast took a device buffer";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("broadcast was given a device buffer"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("host memory only"), std::string::npos) << e.what();
  }
  EXPECT_THROW(t().reduce_sum(const_view(device), device, 0), Error);
  EXPECT_THROW(t().allreduce_sum(device), Error);
  EXPECT_THROW(t().allreduce_max(device), Error);
  EXPECT_COUNTS(step(), 0u, 0u);
  EXPECT_EQ(host, std::vector<float>(4, 1.0f));
}

TEST_P(TransportCheck, MisuseEveryRankCanSeeIsRefused) {
  std::vector<std::byte> b(4);
  try {
    t().reduce_sum(const_buffer_of(std::span<const std::byte>(b)), buffer_of(std::span<std::byte>(b)), 0);
    ADD_FAILURE() << "reduce_sum took bytes";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("not byte"), std::string::npos) << e.what();
  }
  try {
    t().broadcast(buffer_of(std::span<std::byte>(b)), P());
    ADD_FAILURE() << "broadcast took a root outside the job";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("not a rank"), std::string::npos) << e.what();
  }
  EXPECT_THROW(t().gather_bytes(b, -1), Error);
  EXPECT_COUNTS(step(), 0u, 0u);
}

INSTANTIATE_TEST_SUITE_P(Transports, TransportCheck, ::testing::Values(0, 1),
                         [](const ::testing::TestParamInfo<int>& p) {
                           return p.param == 0 ? std::string("default") : "chunks_of_" + std::to_string(kChunk);
                         });

TEST(MpiError, NamesTheCallTheRankTheHostAndMpisMessage) {
  try {
    detail::throw_mpi_error(MPI_ERR_TRUNCATE, "MPI_Bcast(p, n, MPI_BYTE, root, comm_)", 3, "node17");
    ADD_FAILURE() << "no throw";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_EQ(m.rfind("MPI_Bcast failed on rank 3 (host node17): ", 0), 0u) << m;
    EXPECT_NE(m.find("truncat"), std::string::npos) << m;  // MPI's own text
    EXPECT_EQ(e.exit_code(), 1);
  }
}

TEST(MpiTransportOptions, AChunkLimitOutsideIntRangeIsRefused) {
  EXPECT_THROW(make_mpi_transport(*g.session, {.max_elements_per_call = 0}), Error);
  EXPECT_THROW(make_mpi_transport(*g.session, {.max_elements_per_call = std::size_t{1} << 31}), Error);
}

// non-root ranks print only failures, each line prefixed by the rank
class RankFailurePrinter : public ::testing::EmptyTestEventListener {
 public:
  explicit RankFailurePrinter(int rank) : rank_(rank) {}
  void OnTestPartResult(const ::testing::TestPartResult& r) override {
    if (r.failed())
      std::fprintf(stderr, "[rank %d] %s:%d: failure\n%s\n", rank_, r.file_name() ? r.file_name() : "?",
                   r.line_number(), r.summary());
  }
  void OnTestEnd(const ::testing::TestInfo& info) override {
    if (info.result()->Failed())
      std::fprintf(stderr, "[rank %d] FAILED %s.%s\n", rank_, info.test_suite_name(), info.name());
  }

 private:
  int rank_;
};

}  // namespace
}  // namespace fedload::comm

int main(int argc, char** argv) {
  using namespace fedload::comm;
  MpiSession session(&argc, &argv);
  ::testing::InitGoogleTest(&argc, argv);
  if (session.rank() != 0) {
    auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
    listeners.Append(new RankFailurePrinter(session.rank()));
  }
  g.session = &session;
  g.transports.push_back(make_mpi_transport(session));
  g.transports.push_back(make_mpi_transport(session, {.max_elements_per_call = kChunk}));
  int failed = RUN_ALL_TESTS();
  MPI_Allreduce(MPI_IN_PLACE, &failed, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  g.transports.clear();  // before the session ends MPI
  return failed;
}
