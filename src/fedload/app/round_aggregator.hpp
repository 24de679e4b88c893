#pragma once
// How the updates the ranks hold become rank 0's next global model, one round at a time:
//   linear strategies (coefficients c_i): g' = g + sum_i c_i delta_i, each rank adding its own
//   clients' terms in client-id order and the transport summing the ranks' partial sums —
//   exact (int64 fixed point: the model is bitwise the same on any placement), the same exact
//   sum on Paillier ciphertexts (fl.aggregation = "paillier": same model, paillier_round.hpp),
//   or float32 (fl.aggregation = "float": faster, last bits depend on the placement);
//   non-linear strategies: every update gathered to rank 0 in client-id order, where the
//   strategy's aggregate() computes g'.
// Every rank calls the same method each round; the new model is on rank 0 only. Buffers are
// kept across rounds.
#include <cstdint>
#include <vector>

#include "fedload/app/federated_client.hpp"
#include "fedload/app/paillier_round.hpp"
#include "fedload/comm/transport.hpp"
#include "fedload/core/phase_timer.hpp"
#include "fedload/fl/strategy.hpp"

namespace fedload::app {

// fl.aggregation for linear strategies
enum class LinearSum { kExact, kFloat, kPaillier };

class RoundAggregator {
 public:
  // kPaillier needs `paillier` (kept by the caller, alive as long as this).
  RoundAggregator(comm::Transport& transport, LinearSum mode, PaillierRound* paillier = nullptr);

  // c[i]: the coefficient of updates[i] (this rank's clients, by client id); k: the round's
  // number of clients over all ranks (the exponent rule of the exact sum needs it).
  void apply_linear(std::vector<PhaseSample>& phases, std::int64_t round, const std::vector<double>& c,
                    std::size_t k, const std::vector<LocalUpdate>& updates, std::vector<float>& global);
  // reports: the round's reports of every rank, by client id (what the strategy sees on rank 0).
  // Returns what the strategy applied on rank 0; an empty result on the other ranks.
  fl::AggregateResult apply_gathered(std::vector<PhaseSample>& phases, std::int64_t round,
                                     const fl::Strategy& strategy, const std::vector<fl::ClientReport>& reports,
                                     const std::vector<LocalUpdate>& updates, std::vector<float>& global);

 private:
  void exact_sum(std::vector<PhaseSample>& phases, std::int64_t round, const std::vector<double>& c, std::size_t k,
                 const std::vector<LocalUpdate>& updates, std::vector<float>& global);
  void float_sum(std::vector<PhaseSample>& phases, std::int64_t round, const std::vector<double>& c,
                 const std::vector<LocalUpdate>& updates, std::vector<float>& global);

  comm::Transport& tr_;
  LinearSum mode_;
  PaillierRound* paillier_;
  std::vector<std::int64_t> fixed_partial_, fixed_total_;
  std::vector<float> float_partial_, float_total_;
};

}  // namespace fedload::app
