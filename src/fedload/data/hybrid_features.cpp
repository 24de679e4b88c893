#include "fedload/data/hybrid_features.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "fedload/core/error.hpp"
#include "fedload/core/rng.hpp"

namespace fedload::data {

std::size_t hybrid_channel_count(std::size_t clusters) { return kWeekStatCount + clusters + kTimeIndexCount; }

std::vector<std::string> feature_names(std::size_t clusters) {
  std::vector<std::string> names(kFeatureNames.begin(), kFeatureNames.end());
  if (clusters == 0) return names;
  for (const char* n : {"week_max", "week_min", "week_mean"}) names.emplace_back(n);
  for (std::size_t k = 0; k < clusters; ++k) names.push_back("sim_" + std::to_string(k));
  for (const char* n : {"hour", "dow", "month", "holiday_index"}) names.emplace_back(n);
  return names;
}

namespace {

double squared_distance(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) s += (a[i] - b[i]) * (a[i] - b[i]);
  return s;
}

std::size_t nearest(const std::vector<std::vector<double>>& centroids, const std::vector<double>& p) {
  std::size_t best = 0;
  double best_d = std::numeric_limits<double>::infinity();
  for (std::size_t c = 0; c < centroids.size(); ++c) {
    const double d = squared_distance(centroids[c], p);
    if (d < best_d) {  // strict: ties stay with the lower cluster
      best_d = d;
      best = c;
    }
  }
  return best;
}

}  // namespace

std::vector<std::vector<double>> kmeans(const std::vector<std::vector<double>>& points, std::size_t k,
                                        std::uint64_t seed, std::uint64_t stream) {
  if (k < 1) throw_input_error("k-means needs at least one cluster");
  if (points.size() < k) throw_input_error("k-means: {} points cannot make {} clusters", points.size(), k);
  for (const auto& p : points)
    if (p.size() != points.front().size()) throw_input_error("k-means: points of different lengths");
  CounterRng rng(seed, stream);
  // k-means++: the first centroid uniformly, each next one with probability ~ squared distance
  std::vector<std::vector<double>> centroids{points[rng.below(points.size())]};
  std::vector<double> d2(points.size());
  while (centroids.size() < k) {
    double total = 0.0;
    for (std::size_t i = 0; i < points.size(); ++i) {
      d2[i] = squared_distance(points[i], centroids[nearest(centroids, points[i])]);
      total += d2[i];
    }
    std::size_t pick = 0;
    if (total > 0.0) {
      double u = rng.uniform() * total;
      while (pick + 1 < points.size() && (u -= d2[pick]) >= 0.0) ++pick;
    } else {
      pick = rng.below(points.size());  // every point sits on a centroid already
    }
    centroids.push_back(points[pick]);
  }
  std::vector<std::size_t> assigned(points.size(), k);
  for (int iteration = 0; iteration < 300; ++iteration) {
    bool changed = false;
    for (std::size_t i = 0; i < points.size(); ++i) {
      const std::size_t c = nearest(centroids, points[i]);
      changed = changed || c != assigned[i];
      assigned[i] = c;
    }
    if (!changed) break;
    std::vector<std::vector<double>> sums(k, std::vector<double>(points.front().size(), 0.0));
    std::vector<std::size_t> counts(k, 0);
    for (std::size_t i = 0; i < points.size(); ++i) {
      ++counts[assigned[i]];
      for (std::size_t j = 0; j < points[i].size(); ++j) sums[assigned[i]][j] += points[i][j];
    }
    for (std::size_t c = 0; c < k; ++c) {
      if (counts[c] == 0) continue;
      for (double& v : sums[c]) v /= static_cast<double>(counts[c]);
      centroids[c] = std::move(sums[c]);
    }
  }
  return centroids;
}

std::vector<std::vector<double>> week_profiles(std::span<const double> load, std::size_t end, std::size_t week_steps,
                                               const Normalizer& normalizer) {
  std::vector<std::vector<double>> weeks;
  end = std::min(end, load.size());
  for (std::size_t w = 0; (w + 1) * week_steps <= end; ++w) {
    std::vector<double> p(week_steps);
    for (std::size_t i = 0; i < week_steps; ++i) p[i] = normalizer.normalize(load[w * week_steps + i]);
    weeks.push_back(std::move(p));
  }
  return weeks;
}

double cosine_similarity(std::span<const double> a, std::span<const double> b) {
  double ab = 0.0, aa = 0.0, bb = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return aa > 0.0 && bb > 0.0 ? ab / std::sqrt(aa * bb) : 0.0;
}

std::vector<float> make_hybrid_features(std::span<const double> load, Timestamp start, std::int64_t resolution_seconds,
                                        const Normalizer& normalizer, const HolidayCalendar& holidays,
                                        const std::vector<std::vector<double>>& centroids, std::size_t week_steps) {
  const std::size_t K = centroids.size(), C = hybrid_channel_count(K);
  for (const auto& c : centroids)
    if (c.size() != week_steps) throw_input_error("hybrid features: a centroid of {} steps, a week of {}", c.size(), week_steps);
  std::vector<double> z(load.size());
  for (std::size_t t = 0; t < load.size(); ++t) z[t] = normalizer.normalize(load[t]);
  std::vector<float> out(load.size() * C);
  for (std::size_t t = 0; t < load.size(); ++t) {
    float* row = out.data() + t * C;
    const std::size_t n = std::min(week_steps, t + 1);  // steps of the week ending at t
    const std::span<const double> week(z.data() + (t + 1 - n), n);
    double mx = week[0], mn = week[0], sum = 0.0;
    for (const double v : week) {
      mx = std::max(mx, v);
      mn = std::min(mn, v);
      sum += v;
    }
    row[0] = static_cast<float>(mx);
    row[1] = static_cast<float>(mn);
    row[2] = static_cast<float>(sum / static_cast<double>(n));
    for (std::size_t k = 0; k < K; ++k)
      row[kWeekStatCount + k] =
          static_cast<float>(cosine_similarity(week, std::span<const double>(centroids[k]).last(n)));
    const Timestamp origin = start + static_cast<std::int64_t>(t + 1) * resolution_seconds;
    const std::int64_t day = day_of(origin);
    float* index = row + kWeekStatCount + K;
    index[0] = static_cast<float>(seconds_of_day(origin) / 3600);
    index[1] = static_cast<float>(day_of_week(day));
    index[2] = static_cast<float>(civil_from_days(day).month - 1);
    index[3] = holidays.is_holiday(day) ? 1.0f : 0.0f;
  }
  return out;
}

std::vector<float> join_channels(const std::vector<float>& a, std::size_t a_count, const std::vector<float>& b,
                                 std::size_t b_count) {
  const std::size_t steps = a.size() / a_count;
  if (b.size() != steps * b_count) throw_runtime_error("join_channels: {} and {} rows", steps, b.size() / b_count);
  std::vector<float> out(steps * (a_count + b_count));
  for (std::size_t t = 0; t < steps; ++t) {
    std::copy_n(a.begin() + static_cast<std::ptrdiff_t>(t * a_count), a_count,
                out.begin() + static_cast<std::ptrdiff_t>(t * (a_count + b_count)));
    std::copy_n(b.begin() + static_cast<std::ptrdiff_t>(t * b_count), b_count,
                out.begin() + static_cast<std::ptrdiff_t>(t * (a_count + b_count) + a_count));
  }
  return out;
}

}  // namespace fedload::data
