// Data-integrity attacks ([defects] scaling / ramp / random): the formulas on a known series,
// the attacked days, determinism, the input checks, and what the pipeline makes of an attacked
// client: training windows from the attacked load, everything the client is judged on true.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fedload/core/error.hpp"
#include "fedload/data/dataset.hpp"
#include "fedload/data/integrity_attack.hpp"

namespace fedload::data {
namespace {

constexpr std::size_t kP = 24;  // steps per day

std::vector<double> ramp_series(std::size_t n) {
  std::vector<double> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = 100.0 + static_cast<double>(i);
  return v;
}

IntegrityAttack attack(AttackKind kind, double m, double coverage = 1.0) { return {kind, m, coverage, 7}; }

TEST(IntegrityAttack, ScalingMultipliesEveryTrainingStepAndNothingAfter) {
  const auto clean = ramp_series(10 * kP);
  auto v = clean;
  const std::size_t train_end = 7 * kP + 5;  // a partial last day is attacked with the day it starts
  const AttackReport r = apply_integrity_attack(v, train_end, kP, attack(AttackKind::kScaling, 0.5), 1);
  for (std::size_t i = 0; i < v.size(); ++i) EXPECT_DOUBLE_EQ(v[i], i < train_end ? 1.5 * clean[i] : clean[i]) << i;
  EXPECT_EQ(r.days, 8u);
  EXPECT_EQ(r.attacked_days, 8u);
  EXPECT_EQ(r.attacked_steps, train_end);
  double change = 0;
  for (std::size_t i = 0; i < train_end; ++i) change += 0.5 * clean[i];
  EXPECT_NEAR(r.mean_abs_change(), change / static_cast<double>(train_end), 1e-9);
}

TEST(IntegrityAttack, RampIsATrianglePerDay) {
  const std::vector<double> clean(3 * kP, 10.0);
  auto v = clean;
  apply_integrity_attack(v, v.size(), kP, attack(AttackKind::kRamp, 1.0), 1);
  const double half = (kP - 1) / 2.0;
  for (std::size_t d = 0; d < 3; ++d) {
    EXPECT_DOUBLE_EQ(v[d * kP], 10.0) << "first step of day " << d;
    EXPECT_DOUBLE_EQ(v[d * kP + kP - 1], 10.0) << "last step of day " << d;
    for (std::size_t s = 0; s < kP; ++s)
      EXPECT_NEAR(v[d * kP + s], 10.0 * (2.0 - std::abs(static_cast<double>(s) - half) / half), 1e-12);
  }
  EXPECT_GT(*std::max_element(v.begin(), v.end()), 19.5);  // close to 1 + m at the middle
}

TEST(IntegrityAttack, RandomStaysInItsBoundsAndIsAPureFunctionOfSeedAndStream) {
  const auto clean = ramp_series(20 * kP);
  auto a = clean, b = clean, c = clean;
  apply_integrity_attack(a, a.size(), kP, attack(AttackKind::kRandom, 0.3), 5);
  apply_integrity_attack(b, b.size(), kP, attack(AttackKind::kRandom, 0.3), 5);
  apply_integrity_attack(c, c.size(), kP, attack(AttackKind::kRandom, 0.3), 6);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);  // another client or slice gets other factors
  double lo = 1, hi = 1;
  for (std::size_t i = 0; i < a.size(); ++i) {
    lo = std::min(lo, a[i] / clean[i]);
    hi = std::max(hi, a[i] / clean[i]);
  }
  EXPECT_GE(lo, 0.7);
  EXPECT_LT(hi, 1.3);
  EXPECT_LT(lo, 0.75);  // 480 draws of U(-0.3, 0.3) reach near both ends
  EXPECT_GT(hi, 1.25);
}

TEST(IntegrityAttack, CoverageAttacksThatShareOfWholeDays) {
  const auto clean = ramp_series(20 * kP);
  auto v = clean;
  const AttackReport r = apply_integrity_attack(v, v.size(), kP, attack(AttackKind::kScaling, 1.0, 0.25), 3);
  EXPECT_EQ(r.attacked_days, 5u);
  EXPECT_EQ(r.attacked_steps, 5 * kP);
  std::size_t days = 0;
  for (std::size_t d = 0; d < 20; ++d) {
    const bool first = v[d * kP] != clean[d * kP];
    for (std::size_t s = 0; s < kP; ++s)
      EXPECT_EQ(v[d * kP + s] != clean[d * kP + s], first) << "day " << d << " is attacked in part";
    days += first ? 1 : 0;
  }
  EXPECT_EQ(days, 5u);
  // the random factors of a day do not depend on which other days are attacked
  auto all = clean, some = clean;
  apply_integrity_attack(all, all.size(), kP, attack(AttackKind::kRandom, 0.5, 1.0), 3);
  apply_integrity_attack(some, some.size(), kP, attack(AttackKind::kRandom, 0.5, 0.5), 3);
  for (std::size_t i = 0; i < some.size(); ++i) {
    if (some[i] != clean[i]) {
      EXPECT_EQ(some[i], all[i]) << i;
    }
  }
}

TEST(IntegrityAttack, RefusesMagnitudesThatMakeNoSenseAndAnEmptyCoverage) {
  auto v = ramp_series(kP);
  EXPECT_THROW(apply_integrity_attack(v, v.size(), kP, attack(AttackKind::kRandom, 1.5), 0), InputError);
  EXPECT_THROW(apply_integrity_attack(v, v.size(), kP, attack(AttackKind::kScaling, -1.0), 0), InputError);
  EXPECT_THROW(apply_integrity_attack(v, v.size(), kP, attack(AttackKind::kRamp, 0.0), 0), InputError);
  EXPECT_THROW(apply_integrity_attack(v, v.size(), kP, attack(AttackKind::kScaling, 0.5, 0.0), 0), InputError);
  EXPECT_THROW(parse_attack_kind("flip"), InputError);
  EXPECT_THROW(apply_integrity_attack(v, v.size(), 2, attack(AttackKind::kRamp, 0.5), 0), InputError);  // 2 steps a day
  EXPECT_EQ(v, ramp_series(kP));  // nothing was changed by a refused attack
  // a shrinking attack is allowed (m in (-1, 0)): the load only falls
  apply_integrity_attack(v, v.size(), kP, attack(AttackKind::kScaling, -0.5), 0);
  EXPECT_DOUBLE_EQ(v[3], 0.5 * 103.0);
}

DataOptions six_clients() {
  DataOptions o;
  o.clients = 6;
  o.days = 40;
  o.lookback = 24;
  o.stride = 4;
  o.split.test_days = 5;
  o.split.val_days = 3;
  return o;
}

std::vector<float> denormalized(const ClientDataset& c, const std::vector<float>& y) { return c.normalizer.denormalize(y); }

void expect_close(const std::vector<float>& a, const std::vector<float>& b, double rtol, const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (std::size_t i = 0; i < a.size(); ++i)
    ASSERT_NEAR(a[i], b[i], rtol * std::abs(b[i]) + 1e-3) << what << " element " << i;
}

TEST(IntegrityAttack, PipelineTrainsAnAttackedClientOnAttackedLoadAndJudgesItOnTheTrueOne) {
  DataOptions o = six_clients();
  const ClientDatasets clean = build_client_datasets(o, 11);
  o.attack = attack(AttackKind::kScaling, 1.0);
  std::size_t asked_with = 0;
  o.attacked_clients = [&](std::size_t clients) {
    asked_with = clients;
    return std::vector<std::size_t>{1, 4};
  };
  const ClientDatasets bad = build_client_datasets(o, 11);
  EXPECT_EQ(asked_with, 6u);
  ASSERT_EQ(bad.clients.size(), 6u);
  for (std::size_t i = 0; i < 6; ++i) {
    const ClientDataset &a = bad.clients[i], &c = clean.clients[i];
    const std::string who = "client " + std::to_string(i);
    EXPECT_EQ(a.attacked, i == 1 || i == 4) << who;
    EXPECT_EQ(a.load, c.load) << who << ": the stored (true) load changed";
    if (!a.attacked) {
      EXPECT_EQ(a.train.x, c.train.x) << who;
      EXPECT_EQ(a.attack.attacked_steps, 0u) << who;
      continue;
    }
    EXPECT_EQ(a.attack.attacked_steps, a.slices.front().train_steps) << who;
    EXPECT_DOUBLE_EQ(a.normalizer.max, 2 * c.normalizer.max) << who << ": fitted on the attacked span";
    // training targets are twice the truth; validation and test targets are the truth
    auto twice = denormalized(c, c.train.y);
    for (float& v : twice) v *= 2;
    expect_close(denormalized(a, a.train.y), twice, 1e-5, who + " train");
    expect_close(denormalized(a, a.val.y), denormalized(c, c.val.y), 1e-5, who + " val");
    expect_close(denormalized(a, a.test_midnight.y), denormalized(c, c.test_midnight.y), 1e-5, who + " test");
  }
  // a rank building only client 4 attacks it the same way
  o.only_clients = {4};
  const ClientDatasets share = build_client_datasets(o, 11);
  ASSERT_EQ(share.clients.size(), 1u);
  EXPECT_EQ(share.clients[0].train.x, bad.clients[4].train.x);
}

}  // namespace
}  // namespace fedload::data
