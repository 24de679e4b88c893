#include "fedload/app/federated_client.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "fedload/core/error.hpp"
#include "fedload/core/rng.hpp"
#include "fedload/core/squared_l2.hpp"
#include "fedload/data/time.hpp"
#include "fedload/model/baselines.hpp"
#include "fedload/model/local_training.hpp"
#include "fedload/model/trainer.hpp"

namespace fedload::app {
namespace {

// stream tags keep the work shares and the local shuffling apart from every other stream
constexpr std::uint64_t kWorkTag = 0x776f726b5f736861ULL;   // "work_sha"
constexpr std::uint64_t kLocalTag = 0x6c6f63616c5f7472ULL;  // "local_tr"
constexpr std::uint64_t kDpTag = 0x64705f6e6f697365ULL;     // "dp_noise"
constexpr std::uint64_t kDefectTag = 0x6465665f6e6f6973ULL;  // "def_nois"

// a non-finite value would surface rounds later as a diverged loss or a NaN metric: refuse it
// at set-up, saying exactly where it is
void check_finite(const data::ClientDataset& c, const char* set_name, const data::WindowSet& w) {
  const std::size_t nx = w.lookback * w.features;
  for (std::size_t i = 0; i < w.size(); ++i) {
    for (std::size_t k = 0; k < nx; ++k)
      if (!std::isfinite(w.x[i * nx + k]))
        throw_input_error("client {}: {} window {} (origin {}) holds {} at input step {} of {}, feature {}", c.client,
                          set_name, i, data::format_timestamp(w.origin[i]), w.x[i * nx + k], k / w.features + 1,
                          w.lookback, k % w.features);
    for (std::size_t h = 0; h < w.horizon; ++h)
      if (!std::isfinite(w.y[i * w.horizon + h]))
        throw_input_error("client {}: {} window {} (origin {}) holds {} at target step {} of {}", c.client, set_name,
                          i, data::format_timestamp(w.origin[i]), w.y[i * w.horizon + h], h + 1, w.horizon);
  }
}

}  // namespace

FederatedClients::FederatedClients(data::ClientDatasets data, std::unique_ptr<kernels::ForecasterBackend> backend,
                                   const LocalWork& work)
    : data_(std::move(data)), backend_(std::move(backend)), work_(work) {
  std::sort(data_.clients.begin(), data_.clients.end(),
            [](const data::ClientDataset& a, const data::ClientDataset& b) { return a.client < b.client; });
  check_fault_client(work_.fault, data_.client_count());
  for (auto& c : data_.clients) {
    if (c.train.empty())
      throw_input_error("client {} has no training windows (series {}): fewer days or a shorter lookback/horizon",
                        c.client, c.slices.front().column);
    inject_at_setup(work_.fault, c);
    check_finite(c, "training", c.train);
    check_finite(c, "validation", c.val);
    check_finite(c, "test", c.test);
    check_finite(c, "test-day", c.test_midnight);
    ids_.push_back(static_cast<std::int64_t>(c.client));
  }
  local_.resize(backend_->param_count());
}

bool FederatedClients::hosts(std::int64_t client) const {
  return std::binary_search(ids_.begin(), ids_.end(), client);
}

const data::ClientDataset& FederatedClients::dataset(std::int64_t client) const {
  const auto it = std::lower_bound(ids_.begin(), ids_.end(), client);
  if (it == ids_.end() || *it != client) throw_runtime_error("client {} is not hosted on this rank", client);
  return data_.clients[static_cast<std::size_t>(it - ids_.begin())];
}

data::ClientDataset& FederatedClients::dataset(std::int64_t client) {
  return const_cast<data::ClientDataset&>(std::as_const(*this).dataset(client));
}

std::int64_t FederatedClients::planned_steps(std::int64_t client) const {
  const auto n = static_cast<std::int64_t>(dataset(client).train.size());
  const std::int64_t b = std::min(work_.batch, backend_->dims().B);
  const std::int64_t base = work_.steps > 0 ? work_.steps : work_.epochs * ((n + b - 1) / b);
  if (work_.variation <= 0.0) return base;
  CounterRng rng(work_.seed, mix64(kWorkTag ^ static_cast<std::uint64_t>(client)));
  const double share = 1.0 - work_.variation * rng.uniform();
  return std::max<std::int64_t>(1, std::llround(static_cast<double>(base) * share));
}

LocalUpdate FederatedClients::train(std::int64_t client, std::span<const float> global, std::int64_t round,
                                    const fl::LocalObjective& objective) {
  auto& c = dataset(client);
  auto& b = *backend_;
  b.set_params(global.data());
  model::LocalTrainOptions o;
  o.batch = work_.batch;
  o.loss = work_.loss;
  o.optimizer = work_.optimizer;
  o.optimizer.prox_mu = static_cast<float>(objective.prox_mu);
  if (objective.prox_mu > 0) b.set_prox_center(global.data());
  if (work_.steps > 0 || work_.variation > 0)
    o.steps = planned_steps(client);
  else
    o.epochs = work_.epochs;
  o.seed = work_.seed;
  o.stream = mix64(kLocalTag ^ (static_cast<std::uint64_t>(client) << 32) ^ static_cast<std::uint64_t>(round));
  model::LocalTrainResult r;
  try {
    inject_before_local_train(work_.fault, round, c);
    r = model::local_train(b, {c.train.x.data(), c.train.y.data(), c.train.size()}, o);
  } catch (const Error& e) {
    throw Error(e.kind(), fmt::format("client {}, round {}: {}", client, round, e.what()));
  } catch (const std::exception& e) {  // a library's or the system's (bad_alloc ...): a run-time failure
    throw Error(ErrorKind::kRuntime, fmt::format("client {}, round {}: {}", client, round, e.what()));
  }
  b.get_params(local_.data());
  inject_after_local_train(work_.fault, client, round, local_);

  LocalUpdate u;
  u.report.client = client;
  u.report.samples = static_cast<double>(c.train.size());
  u.report.local_steps = r.steps;
  u.report.train_loss = r.mean_loss;
  u.delta.resize(local_.size());
  for (std::size_t j = 0; j < local_.size(); ++j) u.delta[j] = local_[j] - global[j];
  u.update_norm = std::sqrt(squared_l2(u.delta));
  if (!std::isfinite(u.update_norm) || !std::isfinite(r.mean_loss))
    throw_runtime_error("client {}, round {}: local training diverged (loss {}, update norm {})", client, round,
                        r.mean_loss, u.update_norm);
  if (work_.defect != fl::UpdateDefect::kNone &&
      std::binary_search(work_.defective.begin(), work_.defective.end(), static_cast<std::size_t>(client))) {
    fl::apply_update_defect(
        work_.defect, work_.defect_magnitude, u.delta, work_.seed,
        mix64(kDefectTag ^ (static_cast<std::uint64_t>(client) << 32) ^ static_cast<std::uint64_t>(round)));
    u.update_norm = std::sqrt(squared_l2(u.delta));  // as it leaves the client
  }
  if (work_.dp) {
    // a stream per (client, round): noise never repeats (gaussian_update.hpp)
    work_.dp->apply(u.delta, work_.dp_seed,
                    mix64(kDpTag ^ (static_cast<std::uint64_t>(client) << 32) ^ static_cast<std::uint64_t>(round)));
    // what the client's data says beyond the (noised) update does not leave it: its training loss
    // and, under central DP, the norm of its clipped but unnoised update
    u.report.train_loss = std::numeric_limits<double>::quiet_NaN();
    u.update_norm = std::numeric_limits<double>::quiet_NaN();
  }
  return u;
}

std::vector<ClientEvaluation> FederatedClients::evaluate(std::span<const float> global) {
  backend_->set_params(global.data());
  std::vector<ClientEvaluation> out;
  for (const auto& c : data_.clients) {
    const auto& w = c.test_midnight;
    ClientEvaluation e;
    e.client = static_cast<std::int64_t>(c.client);
    e.defective = defective(e.client);
    if (!w.empty()) {
      const auto actual = c.normalizer.denormalize(w.y);
      const auto predicted = c.normalizer.denormalize(model::predict_rows(*backend_, w.x.data(), w.size()));
      e.sums.add(actual.data(), predicted.data(), actual.size());
    }
    out.push_back(e);
  }
  return out;
}

std::vector<ClientForecasts> FederatedClients::forecast(std::span<const float> global,
                                                       const OnlineCorrection& correction) {
  backend_->set_params(global.data());
  std::vector<ClientForecasts> out;
  for (const auto& c : data_.clients) {
    model::RidgeForecaster ridge;
    const data::ClientDataset* one[] = {&c};
    fit_ridge_baseline(one, data_.lookback, data_.horizon, false, ridge);
    out.push_back(
        forecast_client_test_days(c, data_.resolution_seconds, data_.steps_per_day, *backend_, ridge, correction));
    out.back().defective = defective(static_cast<std::int64_t>(c.client));
  }
  return out;
}

bool FederatedClients::defective(std::int64_t client) const {
  if (dataset(client).attacked) return true;
  return work_.defect != fl::UpdateDefect::kNone &&
         std::binary_search(work_.defective.begin(), work_.defective.end(), static_cast<std::size_t>(client));
}

std::vector<ClientRow> FederatedClients::rows(int rank) const {
  std::vector<ClientRow> out;
  for (const auto& c : data_.clients) {
    ClientRow row = client_row(c, rank);
    row.defective = defective(static_cast<std::int64_t>(c.client)) ? 1 : 0;
    out.push_back(row);
  }
  return out;
}

}  // namespace fedload::app
