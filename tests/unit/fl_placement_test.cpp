// Client placement over ranks: balanced blocks, a fixed number per rank, a reserved server, and
// the messages a user gets when the ranks do not suffice.
#include <gtest/gtest.h>

#include <algorithm>

#include "fedload/core/error.hpp"
#include "fedload/fl/placement.hpp"

namespace fedload::fl {
namespace {

using Ids = std::vector<std::int64_t>;

// every client on exactly one rank, and the two views agree
void expect_consistent(const Placement& p, std::size_t clients, int ranks) {
  ASSERT_EQ(p.rank_of_client.size(), clients);
  ASSERT_EQ(p.clients_of_rank.size(), static_cast<std::size_t>(ranks));
  std::size_t seen = 0;
  for (int r = 0; r < ranks; ++r) {
    const auto& ids = p.clients_of_rank[static_cast<std::size_t>(r)];
    EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
    for (auto c : ids) EXPECT_EQ(p.rank_of_client[static_cast<std::size_t>(c)], r) << "client " << c;
    seen += ids.size();
  }
  EXPECT_EQ(seen, clients);
}

TEST(FlPlacement, BalancedBlocksGiveTheFirstRanksTheRemainder) {
  const auto p = place_clients({.clients = 10, .ranks = 4});
  expect_consistent(p, 10, 4);
  EXPECT_EQ(p.clients_of_rank, (std::vector<Ids>{{0, 1, 2}, {3, 4, 5}, {6, 7}, {8, 9}}));
}

TEST(FlPlacement, ReservedServerHostsNobody) {
  const auto p = place_clients({.clients = 7, .ranks = 4, .server_hosts_clients = false});
  expect_consistent(p, 7, 4);
  EXPECT_EQ(p.clients_of_rank, (std::vector<Ids>{{}, {0, 1, 2}, {3, 4}, {5, 6}}));
}

TEST(FlPlacement, OneRankHostsEveryone) {
  const auto p = place_clients({.clients = 5, .ranks = 1});
  expect_consistent(p, 5, 1);
  EXPECT_EQ(p.clients_of_rank[0], (Ids{0, 1, 2, 3, 4}));
}

TEST(FlPlacement, MoreRanksThanClientsLeavesSomeEmpty) {
  const auto p = place_clients({.clients = 3, .ranks = 5});
  expect_consistent(p, 3, 5);
  EXPECT_EQ(p.clients_of_rank, (std::vector<Ids>{{0}, {1}, {2}, {}, {}}));
  const auto none = place_clients({.clients = 0, .ranks = 3});
  expect_consistent(none, 0, 3);
}

TEST(FlPlacement, ClientsPerRankFillsRanksInOrder) {
  const auto p = place_clients({.clients = 9, .ranks = 6, .server_hosts_clients = false, .clients_per_rank = 2});
  expect_consistent(p, 9, 6);
  EXPECT_EQ(p.clients_of_rank, (std::vector<Ids>{{}, {0, 1}, {2, 3}, {4, 5}, {6, 7}, {8}}));
  // spare ranks stay empty
  const auto q = place_clients({.clients = 4, .ranks = 4, .clients_per_rank = 3});
  EXPECT_EQ(q.clients_of_rank, (std::vector<Ids>{{0, 1, 2}, {3}, {}, {}}));
}

TEST(FlPlacement, TooFewRanksForClientsPerRankSaysWhatToDo) {
  try {
    place_clients({.clients = 9, .ranks = 5, .server_hosts_clients = false, .clients_per_rank = 2});
    FAIL() << "no InputError";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(),
                 "fl.clients_per_rank = 2 puts 9 clients on 5 ranks but only 4 host clients: "
                 "start with -np 6 or raise clients_per_rank to 3");
  }
  EXPECT_THROW(place_clients({.clients = 9, .ranks = 4, .clients_per_rank = 2}), InputError);
  EXPECT_NO_THROW(place_clients({.clients = 9, .ranks = 5, .clients_per_rank = 2}));
}

TEST(FlPlacement, ReservedServerNeedsASecondRank) {
  EXPECT_THROW(place_clients({.clients = 2, .ranks = 1, .server_hosts_clients = false}), InputError);
  EXPECT_THROW(place_clients({.clients = 2, .ranks = 0}), InputError);
}

}  // namespace
}  // namespace fedload::fl
