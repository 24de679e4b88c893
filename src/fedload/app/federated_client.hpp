#pragma once
// The clients one rank hosts: their data, one training backend shared by them (virtual clients
// run one after another), their local work per round, and their view of the global model's
// accuracy. Everything a client computes depends only on (config, seed, client id, round,
// global model), never on the rank it runs on or its neighbours there.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "fedload/app/client_table.hpp"
#include "fedload/app/fault_injection.hpp"
#include "fedload/app/forecast_evaluation.hpp"
#include "fedload/data/dataset.hpp"
#include "fedload/fl/defects.hpp"
#include "fedload/fl/strategy.hpp"
#include "fedload/kernels/backend.hpp"
#include "fedload/model/metrics.hpp"
#include "fedload/privacy/gaussian_update.hpp"

namespace fedload::app {

struct LocalWork {
  int epochs = 1;              // passes per round (steps == 0)
  std::int64_t steps = 0;      // > 0: optimizer steps per round
  double variation = 0.0;      // client c does (1 - variation * u_c) of the work, u_c in [0, 1)
  int batch = 32;
  kernels::LossKind loss = kernels::LossKind::kMse;
  kernels::OptimizerOptions optimizer;
  std::uint64_t seed = 0;
  InjectedFault fault;         // test only ([debug]); kind kNone in every real run
  // dp.mode = "local": each update is clipped to L2 <= dp.clip and gets N(0, (z C)^2) noise per
  // coordinate on the client's rank, before anything leaves it (privacy/gaussian_update.hpp)
  std::optional<privacy::GaussianMechanism> dp;
  std::uint64_t dp_seed = 0;  // the noise's seed: secret (from the OS) unless dp.noise = "seeded"
  // [defects] in the update: what the clients in `defective` (sorted ids) do to every update
  // they send (fl/defects.hpp), before DP; noise from (seed, client, round)
  fl::UpdateDefect defect = fl::UpdateDefect::kNone;
  double defect_magnitude = 0.0;
  std::vector<std::size_t> defective;
};

struct LocalUpdate {
  fl::ClientReport report;
  std::vector<float> delta;  // w_local - w_global (clipped and noised under local DP)
  double update_norm = 0.0;  // L2 norm of delta as it leaves the client
};

struct ClientEvaluation {
  std::int64_t client = 0;
  model::ForecastSums sums;  // the global model's day-ahead forecasts of the client's test days
  bool defective = false;    // [defects]: left out of the honest pooling
};

class FederatedClients {
 public:
  // InputError when a client has no training windows or a non-finite value in any window
  // (naming the client, window set, window origin, step and feature).
  FederatedClients(data::ClientDatasets data, std::unique_ptr<kernels::ForecasterBackend> backend,
                   const LocalWork& work);

  const std::vector<std::int64_t>& ids() const { return ids_; }
  bool hosts(std::int64_t client) const;
  // Optimizer steps client `client` takes in a round (its share of the local work).
  std::int64_t planned_steps(std::int64_t client) const;

  // One round of local training from `global`; throws fedload::Error naming the client and round
  // when the loss or the update is not finite, or when training throws anything.
  LocalUpdate train(std::int64_t client, std::span<const float> global, std::int64_t round,
                    const fl::LocalObjective& objective);
  // The global model on every hosted client's test days (sums for pooling on rank 0).
  std::vector<ClientEvaluation> evaluate(std::span<const float> global);
  // Final forecasts of every hosted client: the global model (and, with correction.on, the
  // global model corrected online on the client's own latest data: a personal output layer)
  // and the baselines (seasonal naive; ridge fitted on the client's own windows: the local,
  // non-federated baseline).
  std::vector<ClientForecasts> forecast(std::span<const float> global, const OnlineCorrection& correction);
  std::vector<ClientRow> rows(int rank) const;
  // whether the client is defective: attacked data or a defective update ([defects])
  bool defective(std::int64_t client) const;
  kernels::ForecasterBackend& backend() { return *backend_; }

 private:
  const data::ClientDataset& dataset(std::int64_t client) const;
  data::ClientDataset& dataset(std::int64_t client);

  data::ClientDatasets data_;
  std::unique_ptr<kernels::ForecasterBackend> backend_;
  LocalWork work_;
  std::vector<std::int64_t> ids_;
  std::vector<float> local_;  // scratch: the client's parameters after training
};

}  // namespace fedload::app
