// Defective clients ([defects]): which clients (a pure function of seed, count and fraction),
// and what an update defect does to the update.
#include <cmath>
#include <numeric>
#include <vector>

#include <gtest/gtest.h>

#include "fedload/core/error.hpp"
#include "fedload/fl/defects.hpp"

namespace fedload::fl {
namespace {

TEST(Defects, DefectiveClientsAreASeededSortedSampleOfTheRoundedShare) {
  const auto a = defective_clients(42, 8, 0.25);
  EXPECT_EQ(a.size(), 2u);
  EXPECT_TRUE(std::is_sorted(a.begin(), a.end()));
  EXPECT_EQ(a, defective_clients(42, 8, 0.25));
  EXPECT_EQ(defective_clients(42, 100, 0.3).size(), 30u);
  EXPECT_EQ(defective_clients(42, 7, 0.5).size(), 4u);  // round(3.5)
  EXPECT_TRUE(defective_clients(42, 8, 0.0).empty());
  EXPECT_EQ(defective_clients(42, 8, 1.0).size(), 8u);
  // another seed picks other clients (some seed among a few must)
  bool other = false;
  for (std::uint64_t s = 1; s < 6; ++s) other = other || defective_clients(s, 100, 0.1) != defective_clients(42, 100, 0.1);
  EXPECT_TRUE(other);
  // every id is in range and distinct
  const auto big = defective_clients(3, 1000, 0.37);
  EXPECT_EQ(big.size(), 370u);
  EXPECT_LT(big.back(), 1000u);
  EXPECT_EQ(std::adjacent_find(big.begin(), big.end()), big.end());
}

TEST(Defects, AShareThatRoundsToNobodyOrOutsideZeroOneIsAnInputError) {
  EXPECT_THROW(defective_clients(1, 8, 0.05), InputError);
  EXPECT_THROW(defective_clients(1, 8, 1.5), InputError);
  EXPECT_THROW(defective_clients(1, 8, -0.1), InputError);
}

TEST(Defects, SignFlipSendsMinusMTimesTheUpdate) {
  std::vector<float> u = {1.0f, -2.0f, 0.5f};
  apply_update_defect(UpdateDefect::kSignFlip, 3.0, u, 0, 0);
  EXPECT_EQ(u, (std::vector<float>{-3.0f, 6.0f, -1.5f}));
  EXPECT_THROW(apply_update_defect(UpdateDefect::kSignFlip, 0.0, u, 0, 0), InputError);
  EXPECT_THROW(apply_update_defect(UpdateDefect::kNoise, -1.0, u, 0, 0), InputError);
  EXPECT_EQ(update_defect_from_name("scaling"), UpdateDefect::kNone);  // a data attack
}

TEST(Defects, NoiseHasTheUpdatesRmsTimesMAndDependsOnlyOnSeedAndStream) {
  const std::size_t d = 20000;
  std::vector<float> base(d);
  for (std::size_t i = 0; i < d; ++i) base[i] = static_cast<float>(std::sin(0.1 * static_cast<double>(i)));
  double sq = 0;
  for (const float v : base) sq += static_cast<double>(v) * v;
  const double rms = std::sqrt(sq / d);
  auto a = base, b = base, c = base;
  apply_update_defect(UpdateDefect::kNoise, 0.5, a, 9, 1);
  apply_update_defect(UpdateDefect::kNoise, 0.5, b, 9, 1);
  apply_update_defect(UpdateDefect::kNoise, 0.5, c, 9, 2);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  double nsq = 0, mean = 0;
  for (std::size_t i = 0; i < d; ++i) {
    const double n = static_cast<double>(a[i]) - base[i];
    nsq += n * n;
    mean += n;
  }
  // sample standard deviation of 20000 normals: within ~2% of sigma with overwhelming probability
  EXPECT_NEAR(std::sqrt(nsq / d), 0.5 * rms, 0.03 * 0.5 * rms);
  EXPECT_NEAR(mean / d, 0.0, 0.05 * rms);
  auto zero = base;
  apply_update_defect(UpdateDefect::kNoise, 0.0, zero, 9, 1);
  EXPECT_EQ(zero, base);
}

}  // namespace
}  // namespace fedload::fl
