#include "fedload/app/round_aggregator.hpp"

#include <algorithm>
#include <limits>
#include <span>

#include "fedload/app/round_messages.hpp"
#include "fedload/app/transport_phase.hpp"
#include "fedload/core/error.hpp"
#include "fedload/fl/exact_sum.hpp"

namespace fedload::app {

RoundAggregator::RoundAggregator(comm::Transport& transport, LinearSum mode, PaillierRound* paillier)
    : tr_(transport), mode_(mode), paillier_(paillier) {
  if (mode == LinearSum::kPaillier && !paillier)
    throw_runtime_error("RoundAggregator: the paillier sum needs its keys (PaillierRound)");
}

void RoundAggregator::apply_linear(std::vector<PhaseSample>& phases, std::int64_t round, const std::vector<double>& c,
                                   std::size_t k, const std::vector<LocalUpdate>& updates, std::vector<float>& global) {
  if (mode_ == LinearSum::kFloat)
    float_sum(phases, round, c, updates, global);
  else
    exact_sum(phases, round, c, k, updates, global);
}

// the sum exact in int64 fixed point: integers make the order of the additions irrelevant
void RoundAggregator::exact_sum(std::vector<PhaseSample>& phases, std::int64_t round, const std::vector<double>& c,
                                std::size_t k, const std::vector<LocalUpdate>& updates, std::vector<float>& global) {
  // the exponent rule of fl::Strategy::aggregate (K times the largest term bound, a max is
  // exact in any order), so this distributed sum equals that single-process reference bit for bit
  double largest = 0;
  for (std::size_t i = 0; i < updates.size(); ++i)
    largest = std::max(largest, fl::fixed_point_term_bound(c[i], updates[i].delta));
  {
    TransportPhase t(phases, "communicate", round, tr_);
    tr_.allreduce_max(comm::buffer_of(std::span<double>(&largest, 1)));
  }
  const int exponent = fl::fixed_point_exponent(static_cast<double>(k) * largest);
  if (mode_ == LinearSum::kPaillier) {
    // the same integers, summed on ciphertexts
    paillier_->sum(phases, round, c, exponent, global.size(), updates, fixed_total_);
    if (tr_.rank() == 0) {
      PhaseTimer t(phases, "aggregate", round);
      fl::fixed_to_float(fixed_total_, exponent, global, global);
    }
    return;
  }
  // the first client's terms are written, not added to zeros
  auto& partial = fixed_partial_;
  auto& total = fixed_total_;
  partial.resize(global.size());
  {
    PhaseTimer t(phases, "update_transform", round);
    if (updates.empty()) std::fill(partial.begin(), partial.end(), 0);
    for (std::size_t i = 0; i < updates.size(); ++i) {
      if (i == 0)
        fl::encode_fixed(c[i], updates[i].delta, exponent, partial);
      else
        fl::accumulate_fixed(c[i], updates[i].delta, exponent, partial);
    }
  }
  if (tr_.rank() == 0) total.resize(global.size());
  {
    TransportPhase t(phases, "communicate", round, tr_);
    tr_.reduce_sum(comm::const_buffer_of(std::span<const std::int64_t>(partial)),
                   comm::buffer_of(std::span<std::int64_t>(total)), 0);
  }
  if (tr_.rank() == 0) {
    PhaseTimer t(phases, "aggregate", round);
    fl::fixed_to_float(total, exponent, global, global);  // may alias (exact_sum.hpp)
  }
}

// float32: each rank adds its clients' terms in client-id order, MPI's reduction adds the ranks'
// partial sums; the order of those additions depends on the placement
void RoundAggregator::float_sum(std::vector<PhaseSample>& phases, std::int64_t round, const std::vector<double>& c,
                                const std::vector<LocalUpdate>& updates, std::vector<float>& global) {
  auto& partial = float_partial_;
  auto& total = float_total_;
  partial.resize(global.size());
  {
    PhaseTimer t(phases, "update_transform", round);
    if (updates.empty()) std::fill(partial.begin(), partial.end(), 0.0f);
    for (std::size_t i = 0; i < updates.size(); ++i) {
      const auto ci = static_cast<float>(c[i]);
      const auto& d = updates[i].delta;
      if (i == 0)
        for (std::size_t j = 0; j < partial.size(); ++j) partial[j] = ci * d[j];
      else
        for (std::size_t j = 0; j < partial.size(); ++j) partial[j] += ci * d[j];
    }
  }
  if (tr_.rank() == 0) total.resize(global.size());
  {
    TransportPhase t(phases, "communicate", round, tr_);
    tr_.reduce_sum(comm::const_buffer_of(std::span<const float>(partial)), comm::buffer_of(std::span<float>(total)), 0);
  }
  if (tr_.rank() == 0) {
    PhaseTimer t(phases, "aggregate", round);
    for (std::size_t j = 0; j < global.size(); ++j) global[j] += total[j];
  }
}

fl::AggregateResult RoundAggregator::apply_gathered(std::vector<PhaseSample>& phases, std::int64_t round,
                                                    const fl::Strategy& strategy,
                                                    const std::vector<fl::ClientReport>& reports,
                                                    const std::vector<LocalUpdate>& updates, std::vector<float>& global) {
  std::vector<const LocalUpdate*> mine;
  for (const auto& u : updates) mine.push_back(&u);
  std::vector<UpdateMessage> all;
  {
    TransportPhase t(phases, "communicate", round, tr_);
    all = decode_updates(tr_.gather_bytes(encode_updates(mine), 0));
  }
  if (tr_.rank() != 0) return {};
  PhaseTimer t(phases, "aggregate", round);
  if (all.size() != reports.size())
    throw_runtime_error("round {}: {} updates gathered for {} reports", round, all.size(), reports.size());
  std::vector<fl::ClientUpdateView> views;
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (all[i].client != reports[i].client)
      throw_runtime_error("round {}: gathered update {} is client {}'s, the report is client {}'s", round, i,
                          all[i].client, reports[i].client);
    views.push_back({&reports[i], all[i].delta});
  }
  std::vector<float> next(global.size());
  auto applied = strategy.aggregate(global, views, next);
  global.swap(next);
  if (applied.coefficients.empty()) applied.coefficients.assign(views.size(), std::numeric_limits<double>::quiet_NaN());
  if (applied.coefficients.size() != views.size())
    throw_runtime_error("round {}: strategy '{}' reported {} coefficients for {} clients", round, strategy.name(),
                        applied.coefficients.size(), views.size());
  return applied;
}

}  // namespace fedload::app
