#include "fedload/app/fault_injection.hpp"

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "fedload/core/error.hpp"

namespace fedload::app {
namespace {

struct FaultName {
  const char* name;
  FaultKind kind;
};
constexpr FaultName kFaults[] = {
    {"none", FaultKind::kNone},           {"exception", FaultKind::kException}, {"nan_loss", FaultKind::kNanLoss},
    {"inf_update", FaultKind::kInfUpdate}, {"bad_data", FaultKind::kBadData},   {"rank_exit", FaultKind::kRankExit},
    {"rank_kill", FaultKind::kRankKill},   {"hang", FaultKind::kHang},
};

FaultKind parse_fault(const std::string& name) {
  for (const auto& f : kFaults)
    if (name == f.name) return f.kind;
  throw_input_error("debug.fault = \"{}\" is not a fault this build knows", name);
}

// the last line a process that is about to vanish can say: nobody else knows which client it hosted
void announce_death(const InjectedFault& f, std::int64_t round, const char* how) {
  std::fprintf(stderr, "fedload: injected fault (debug.fault) on %s: client %lld, round %lld: %s\n", f.where.c_str(),
               static_cast<long long>(f.client), static_cast<long long>(round), how);
  std::fflush(stderr);
}

}  // namespace

std::vector<std::string> fault_names() {
  std::vector<std::string> out;
  for (const auto& f : kFaults) out.emplace_back(f.name);
  return out;
}

bool InjectedFault::strikes(std::int64_t c, std::int64_t r) const {
  return kind != FaultKind::kNone && kind != FaultKind::kBadData && c == client && r >= round;
}

InjectedFault injected_fault_from_config(const Config& config, const comm::MpiSession& mpi) {
  InjectedFault f;
  f.kind = parse_fault(config.get_string("debug.fault"));
  f.client = config.get_int("debug.fault_client");
  f.round = config.get_int("debug.fault_round");
  f.where = fmt::format("rank {} of {} (host {})", mpi.rank(), mpi.size(), mpi.host());
  return f;
}

void check_fault_client(const InjectedFault& fault, std::size_t clients) {
  if (fault.active() && static_cast<std::size_t>(fault.client) >= clients)
    throw_input_error("debug.fault_client = {} but the run has {} clients (0..{})", fault.client, clients,
                      clients - 1);
}

void inject_at_setup(const InjectedFault& fault, data::ClientDataset& client) {
  if (fault.kind != FaultKind::kBadData || static_cast<std::int64_t>(client.client) != fault.client) return;
  auto& w = client.train;
  if (w.empty()) return;
  // window 0, last lookback step, feature 0 (the normalized load)
  w.x[(w.lookback - 1) * w.features] = std::numeric_limits<float>::quiet_NaN();
}

void inject_before_local_train(const InjectedFault& fault, std::int64_t round, data::ClientDataset& client) {
  if (!fault.strikes(static_cast<std::int64_t>(client.client), round)) return;
  switch (fault.kind) {
    case FaultKind::kException:
      throw std::runtime_error("injected fault (debug.fault = exception): std::runtime_error thrown in local training");
    case FaultKind::kNanLoss: {
      // every window's load at its last lookback step, so the first batch already carries a NaN
      auto& w = client.train;
      const std::size_t per_window = w.lookback * w.features;
      for (std::size_t i = 0; i < w.size(); ++i)
        w.x[i * per_window + (w.lookback - 1) * w.features] = std::numeric_limits<float>::quiet_NaN();
      return;
    }
    case FaultKind::kRankExit:
      announce_death(fault, round, "the process ends now with _exit(3), no MPI_Abort");
      _exit(3);
    case FaultKind::kRankKill:
      announce_death(fault, round, "the process raises SIGKILL on itself now");
      std::raise(SIGKILL);
      _exit(137);  // not reached: SIGKILL cannot be caught
    case FaultKind::kHang:
      announce_death(fault, round, "local training now sleeps forever");
      for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
    default:
      return;
  }
}

void inject_after_local_train(const InjectedFault& fault, std::int64_t client, std::int64_t round,
                              std::span<float> params) {
  if (fault.kind != FaultKind::kInfUpdate || !fault.strikes(client, round) || params.empty()) return;
  params[params.size() / 2] = std::numeric_limits<float>::infinity();
}

}  // namespace fedload::app
