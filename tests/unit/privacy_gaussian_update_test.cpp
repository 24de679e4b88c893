// Clipping and Gaussian noise for one client update: the clipped norm is C, an update inside
// the ball is left alone, the noise has the advertised mean and spread, and (seed, stream)
// decides the noise completely.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "fedload/core/error.hpp"
#include "fedload/core/rng.hpp"
#include "fedload/privacy/gaussian_update.hpp"

namespace fedload::privacy {
namespace {

double l2(const std::vector<float>& v) {
  double s = 0;
  for (float x : v) s += static_cast<double>(x) * x;
  return std::sqrt(s);
}

std::vector<float> random_update(std::size_t n, double scale, std::uint64_t seed) {
  CounterRng rng(seed, 7);
  std::vector<float> v(n);
  for (auto& x : v) x = static_cast<float>(scale * rng.normal());
  return v;
}

TEST(ClipL2, ScalesALongUpdateOntoTheSphere) {
  std::vector<float> v{3.0f, 4.0f};
  const auto r = clip_l2(v, 1.0);
  EXPECT_TRUE(r.clipped);
  EXPECT_DOUBLE_EQ(r.norm_before, 5.0);
  EXPECT_DOUBLE_EQ(r.scale, 0.2);
  EXPECT_FLOAT_EQ(v[0], 0.6f);
  EXPECT_FLOAT_EQ(v[1], 0.8f);

  auto big = random_update(100000, 0.5, 1);  // norm about 158
  const auto original = big;
  const auto rb = clip_l2(big, 2.5);
  EXPECT_TRUE(rb.clipped);
  EXPECT_NEAR(rb.norm_before, l2(original), 1e-9 * l2(original));
  EXPECT_NEAR(l2(big), 2.5, 1e-6);
  for (std::size_t i = 0; i < big.size(); i += 997)  // direction kept
    EXPECT_NEAR(big[i], original[i] * rb.scale, 1e-6 * std::abs(original[i]) + 1e-12) << "at " << i;
}

TEST(ClipL2, LeavesAnUpdateInsideTheBallBitForBit) {
  auto v = random_update(1000, 0.01, 2);  // norm about 0.32
  const auto original = v;
  const auto r = clip_l2(v, 1.0);
  EXPECT_FALSE(r.clipped);
  EXPECT_EQ(r.scale, 1.0);
  EXPECT_NEAR(r.norm_before, l2(original), 1e-12);
  EXPECT_EQ(std::memcmp(v.data(), original.data(), v.size() * sizeof(float)), 0);
}

TEST(ClipL2, NonFiniteValueIsAnErrorNamingItsIndex) {
  std::vector<float> v{1.0f, 2.0f, NAN, 4.0f};
  try {
    clip_l2(v, 1.0);
    ADD_FAILURE() << "no error for a NaN in the update";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("index 2"), std::string::npos) << e.what();
  }
}

TEST(GaussianMechanism, NoiseHasTheAdvertisedMeanAndVariance) {
  const std::size_t n = std::size_t{1} << 20;
  const GaussianMechanism mech(2.0, 1.5);  // sigma = 3
  std::vector<float> v(n, 0.0f);
  const auto r = mech.apply(v, 42, 3);
  EXPECT_FALSE(r.clipped);
  double sum = 0, sum_sq = 0;
  for (float x : v) sum += x, sum_sq += static_cast<double>(x) * x;
  const double mean = sum / n, var = sum_sq / n - mean * mean;
  // 5 standard errors: sigma/sqrt(n) for the mean, sigma^2 sqrt(2/n) for the variance
  EXPECT_NEAR(mean, 0.0, 5 * 3.0 / std::sqrt(n));
  EXPECT_NEAR(var, 9.0, 5 * 9.0 * std::sqrt(2.0 / n));
}

TEST(GaussianMechanism, ClipsBeforeAddingNoise) {
  // noise on the clipped update: the mean of the noisy coordinates is the clipped value
  const std::size_t n = 1 << 18;
  std::vector<float> v(n, 1.0f);  // norm 512
  const GaussianMechanism mech(64.0, 0.01);  // sigma = 0.64; clipped coordinates are 0.125
  const auto r = mech.apply(v, 5, 0);
  EXPECT_TRUE(r.clipped);
  EXPECT_DOUBLE_EQ(r.norm_before, 512.0);
  double sum = 0;
  for (float x : v) sum += x;
  EXPECT_NEAR(sum / n, 0.125, 5 * 0.64 / std::sqrt(n));
}

TEST(GaussianMechanism, SameStreamSameNoiseOtherStreamOtherNoise) {
  const GaussianMechanism mech(1.0, 1.0);
  const auto base = random_update(4096, 0.001, 3);
  auto a = base, b = base, c = base, d = base;
  mech.apply(a, 11, 4);
  mech.apply(b, 11, 4);
  mech.apply(c, 11, 5);
  mech.apply(d, 12, 4);
  EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)), 0);
  std::size_t same_c = 0, same_d = 0;
  for (std::size_t i = 0; i < a.size(); ++i) same_c += a[i] == c[i], same_d += a[i] == d[i];
  EXPECT_LT(same_c, 5u) << "stream 5 repeats stream 4's noise";
  EXPECT_LT(same_d, 5u) << "seed 12 repeats seed 11's noise";
}

TEST(GaussianMechanism, ZeroNoiseMultiplierOnlyClips) {
  const GaussianMechanism mech(1.0, 0.0);
  std::vector<float> v{3.0f, 4.0f}, small{0.1f, -0.2f};
  mech.apply(v, 1, 1);
  mech.apply(small, 1, 1);
  EXPECT_FLOAT_EQ(v[0], 0.6f);
  EXPECT_FLOAT_EQ(v[1], 0.8f);
  EXPECT_EQ(small[0], 0.1f);
  EXPECT_EQ(small[1], -0.2f);
}

TEST(GaussianMechanism, BadParametersAreInputErrors) {
  EXPECT_THROW(GaussianMechanism(0.0, 1.0), InputError);
  EXPECT_THROW(GaussianMechanism(-1.0, 1.0), InputError);
  EXPECT_THROW(GaussianMechanism(NAN, 1.0), InputError);
  EXPECT_THROW(GaussianMechanism(1.0, -0.1), InputError);
  EXPECT_THROW(GaussianMechanism(1.0, INFINITY), InputError);
  try {
    GaussianMechanism(1.0, -0.1);
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("noise multiplier"), std::string::npos) << e.what();
  }
  std::vector<float> v{1.0f};
  EXPECT_THROW(clip_l2(v, 0.0), InputError);
}

}  // namespace
}  // namespace fedload::privacy
