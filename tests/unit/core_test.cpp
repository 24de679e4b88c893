// SHA-256 against FIPS 180-4 test vectors, and the counter-based RNG's determinism.
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>

#include "fedload/core/rng.hpp"
#include "fedload/core/sha256.hpp"

namespace fedload {
namespace {

TEST(Sha256, MatchesPublishedVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  const std::string million(1000000, 'a');
  EXPECT_EQ(sha256_hex(million), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, IncrementalEqualsOneShot) {
  const std::string text = "federated load forecasting, one byte at a time";
  Sha256 h;
  for (char c : text) h.update(&c, 1);
  EXPECT_EQ(h.hex_digest(), sha256_hex(text));
}

TEST(CounterRng, SameSeedAndStreamGiveTheSameValues) {
  CounterRng a(7, 3), b(7, 3), c(7, 4), d(8, 3);
  for (int i = 0; i < 100; ++i) {
    const auto x = a.next_u64();
    EXPECT_EQ(x, b.next_u64());
    EXPECT_NE(x, c.next_u64());
    EXPECT_NE(x, d.next_u64());
  }
}

TEST(CounterRng, CounterCanBeRewound) {
  CounterRng a(1, 1);
  a.next_u64();
  const auto c = a.counter();
  const double u = a.uniform();
  a.set_counter(c);
  EXPECT_EQ(a.uniform(), u);
}

TEST(CounterRng, UniformAndNormalHaveTheRightMoments) {
  CounterRng r(42, 0);
  const int n = 200000;
  double su = 0, sn = 0, sn2 = 0;
  for (int i = 0; i < n; ++i) {
    const double u = r.uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    su += u;
    const double z = r.normal();
    sn += z;
    sn2 += z * z;
  }
  EXPECT_NEAR(su / n, 0.5, 0.005);
  EXPECT_NEAR(sn / n, 0.0, 0.01);
  EXPECT_NEAR(sn2 / n, 1.0, 0.01);
}

TEST(CounterRng, PermutationIsAPermutationAndBelowStaysInRange) {
  CounterRng r(5, 9);
  const auto p = r.permutation(1000);
  std::set<std::size_t> s(p.begin(), p.end());
  EXPECT_EQ(s.size(), 1000u);
  EXPECT_EQ(*s.rbegin(), 999u);
  std::vector<int> counts(7, 0);
  for (int i = 0; i < 70000; ++i) ++counts[r.below(7)];
  for (int c : counts) EXPECT_NEAR(c, 10000, 400);
}

}  // namespace
}  // namespace fedload
