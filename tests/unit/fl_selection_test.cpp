// Client selection: a pure function of (seed, round), the promised sizes, sorted unique ids, and
// Poisson sampling at the promised rate.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "fedload/core/error.hpp"
#include "fedload/fl/selection.hpp"

namespace fedload::fl {
namespace {

bool sorted_unique_in_range(const std::vector<std::int64_t>& ids, std::size_t n) {
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] < 0 || ids[i] >= static_cast<std::int64_t>(n)) return false;
    if (i > 0 && ids[i] <= ids[i - 1]) return false;
  }
  return true;
}

TEST(FlSelection, ParsesTheThreeKindsAndRefusesOthers) {
  EXPECT_EQ(parse_selection_kind("all"), SelectionKind::kAll);
  EXPECT_EQ(parse_selection_kind("fixed"), SelectionKind::kFixed);
  EXPECT_EQ(parse_selection_kind("poisson"), SelectionKind::kPoisson);
  for (auto k : {SelectionKind::kAll, SelectionKind::kFixed, SelectionKind::kPoisson}) {
    EXPECT_EQ(parse_selection_kind(selection_kind_name(k)), k);
  }
  try {
    parse_selection_kind("random");
    FAIL() << "no InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("poisson"), std::string::npos) << e.what();
  }
}

TEST(FlSelection, AllSelectsEveryone) {
  EXPECT_EQ(select_clients({}, 4, 1, 1), (std::vector<std::int64_t>{0, 1, 2, 3}));
  EXPECT_TRUE(select_clients({}, 0, 1, 1).empty());
  EXPECT_EQ(clients_per_round({}, 4), 4u);
  // Poisson rounds vary: no fixed count
  EXPECT_FALSE(clients_per_round({.kind = SelectionKind::kPoisson, .rate = 0.5}, 4).has_value());
}

TEST(FlSelection, SameSeedAndRoundSameClientsOtherRoundsDiffer) {
  const SelectionOptions fixed{.kind = SelectionKind::kFixed, .fraction = 0.3};
  const SelectionOptions poisson{.kind = SelectionKind::kPoisson, .rate = 0.3};
  for (const auto& o : {fixed, poisson}) {
    std::set<std::vector<std::int64_t>> distinct;
    for (std::int64_t round = 1; round <= 20; ++round) {
      const auto a = select_clients(o, 50, 42, round);
      EXPECT_EQ(a, select_clients(o, 50, 42, round));
      distinct.insert(a);
    }
    EXPECT_GT(distinct.size(), 15u);  // rounds draw different sets
    EXPECT_NE(select_clients(o, 50, 42, 1), select_clients(o, 50, 43, 1));  // seeds too
  }
}

TEST(FlSelection, FixedDrawsExactlyKSortedUniqueClients) {
  for (std::size_t n : {1u, 7u, 10u, 100u}) {
    for (double f : {0.01, 0.1, 0.5, 1.0}) {
      const std::size_t k = std::max<std::size_t>(1, static_cast<std::size_t>(std::floor(f * static_cast<double>(n) + 1e-9)));
      for (std::int64_t round = 1; round <= 5; ++round) {
        const auto ids = select_clients({.kind = SelectionKind::kFixed, .fraction = f}, n, 3, round);
        EXPECT_EQ(ids.size(), k) << "n=" << n << " fraction=" << f;
        EXPECT_TRUE(sorted_unique_in_range(ids, n));
      }
      // the count the driver checks strategies against before the first round
      EXPECT_EQ(clients_per_round({.kind = SelectionKind::kFixed, .fraction = f}, n), k);
    }
  }
}

TEST(FlSelection, FixedFractionEdgeCases) {
  const SelectionOptions o{.kind = SelectionKind::kFixed, .fraction = 0.29};
  EXPECT_EQ(select_clients(o, 100, 1, 1).size(), 29u);  // 0.29 * 100 is 28.999999999999996 in double
  EXPECT_EQ(select_clients({.kind = SelectionKind::kFixed, .fraction = 0.01}, 5, 1, 1).size(), 1u);  // at least one
  EXPECT_EQ(select_clients({.kind = SelectionKind::kFixed, .fraction = 1.0}, 5, 1, 1),
            (std::vector<std::int64_t>{0, 1, 2, 3, 4}));
  EXPECT_THROW(select_clients({.kind = SelectionKind::kFixed, .fraction = 0.0}, 5, 1, 1), InputError);
  EXPECT_THROW(select_clients({.kind = SelectionKind::kFixed, .fraction = 1.5}, 5, 1, 1), InputError);
  EXPECT_THROW(select_clients({.kind = SelectionKind::kPoisson, .rate = -0.1}, 5, 1, 1), InputError);
  EXPECT_THROW(select_clients({}, 5, 1, 0), Error);  // rounds count from 1
}

TEST(FlSelection, FixedIsUniformOverClients) {
  // each of 10 clients is picked with probability 3/10; over 2000 rounds the count of each is
  // binomial(2000, 0.3): mean 600, sd 20.5; 6 sd cannot flake
  const std::size_t n = 10, rounds = 2000;
  std::vector<int> count(n, 0);
  for (std::size_t r = 1; r <= rounds; ++r) {
    for (auto c : select_clients({.kind = SelectionKind::kFixed, .fraction = 0.3}, n, 5, static_cast<std::int64_t>(r))) {
      ++count[static_cast<std::size_t>(c)];
    }
  }
  const double sd = std::sqrt(rounds * 0.3 * 0.7);
  for (std::size_t c = 0; c < n; ++c) EXPECT_NEAR(count[c], 600, 6 * sd) << "client " << c;
}

TEST(FlSelection, PoissonSelectsAtTheRate) {
  // total selections over 2000 rounds of 50 clients at rate 0.1: binomial(100000, 0.1),
  // mean 10000, sd 94.9; 6 sd
  const std::size_t n = 50, rounds = 2000;
  const double rate = 0.1;
  double total = 0;
  std::size_t empty_rounds = 0;
  for (std::size_t r = 1; r <= rounds; ++r) {
    const auto ids = select_clients({.kind = SelectionKind::kPoisson, .rate = rate}, n, 9, static_cast<std::int64_t>(r));
    EXPECT_TRUE(sorted_unique_in_range(ids, n));
    total += static_cast<double>(ids.size());
    empty_rounds += ids.empty();
  }
  const double trials = static_cast<double>(n * rounds);
  EXPECT_NEAR(total, rate * trials, 6 * std::sqrt(trials * rate * (1 - rate)));
  // P(empty) = 0.9^50 = 0.52%: about 10 of 2000 rounds select nobody, which is allowed
  EXPECT_GT(empty_rounds, 0u);
  EXPECT_TRUE(select_clients({.kind = SelectionKind::kPoisson, .rate = 0.0}, n, 9, 1).empty());
  EXPECT_EQ(select_clients({.kind = SelectionKind::kPoisson, .rate = 1.0}, n, 9, 1).size(), n);
}

}  // namespace
}  // namespace fedload::fl
