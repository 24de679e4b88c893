#pragma once
// Non-temporal features of the hybrid forecaster (Lu, Ouyang, Li & Zou, arXiv:2403.03898):
// channels appended after the DearFSAC features of every step. Row t describes the forecast
// made after step t (origin t + 1), from the load up to step t and the calendar of t + 1 only:
//   week_max, week_min, week_mean  of the normalized load of the last week (W steps ending at t;
//                                  fewer at the start of a series)
//   sim_0 .. sim_{K-1}             cosine similarity of that week to each of K centroids of the
//                                  client's past weeks (K-means on the whole weeks of its
//                                  training span; fewer steps at the start: the centroids' tails)
//   hour, dow, month, holiday      time indices of step t + 1 as whole numbers: hour of day
//                                  [0, 24), day of week [0, 7) Monday = 0, month [0, 12),
//                                  holiday [0, 2)
// A window's last step (origin - 1) thus carries its forecast's features; the hybrid model
// reads them there (model/hybrid_forecaster.hpp). Statistics and centroids use the training
// span only, so nothing of validation or test leaks into them.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "fedload/data/features.hpp"
#include "fedload/data/holidays.hpp"
#include "fedload/data/time.hpp"

namespace fedload::data {

inline constexpr std::size_t kWeekStatCount = 3;
inline constexpr std::size_t kTimeIndexCount = 4;

// channels appended for K clusters: 3 + K + 4
std::size_t hybrid_channel_count(std::size_t clusters);
// every channel's name, DearFSAC features first (kFeatureNames), then the hybrid channels
// when clusters > 0
std::vector<std::string> feature_names(std::size_t clusters);

// K-means (Lloyd's iterations until no point changes cluster, at most 300) on points of equal
// length, k-means++ seeding from CounterRng(seed, stream): the same points, seed and stream
// give the same centroids. Ties go to the lowest cluster; an emptied cluster keeps its centroid.
// InputError when there are fewer points than k or k < 1.
std::vector<std::vector<double>> kmeans(const std::vector<std::vector<double>>& points, std::size_t k,
                                        std::uint64_t seed, std::uint64_t stream);

// the whole weeks [w W, (w + 1) W) of load[0, end), normalized
std::vector<std::vector<double>> week_profiles(std::span<const double> load, std::size_t end, std::size_t week_steps,
                                               const Normalizer& normalizer);

// cosine similarity of equal-length a and b; 0 when either is all zeros
double cosine_similarity(std::span<const double> a, std::span<const double> b);

// the hybrid channels of `load.size()` steps starting at `start`, row-major [steps][3 + K + 4]
std::vector<float> make_hybrid_features(std::span<const double> load, Timestamp start, std::int64_t resolution_seconds,
                                        const Normalizer& normalizer, const HolidayCalendar& holidays,
                                        const std::vector<std::vector<double>>& centroids, std::size_t week_steps);

// rows of a [steps][a] and b [steps][b] side by side: [steps][a + b]
std::vector<float> join_channels(const std::vector<float>& a, std::size_t a_count, const std::vector<float>& b,
                                 std::size_t b_count);

}  // namespace fedload::data
