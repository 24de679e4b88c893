#pragma once
// Test-only fault injection for the federated runtime ([debug] in the config): one client fails
// in a chosen way, so that tests can prove the job stops promptly, says which rank, host and
// client failed, and leaves a readable `incomplete` result file. Each fault makes the real
// failure happen (poisoned data, an Inf parameter, an exception, a dying process); the checks
// that catch it are the ones production runs use, not a fake message.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "fedload/comm/mpi_session.hpp"
#include "fedload/core/config.hpp"
#include "fedload/data/dataset.hpp"

namespace fedload::app {

enum class FaultKind {
  kNone,
  kException,  // local training throws a plain std::runtime_error
  kNanLoss,    // the client's training inputs turn NaN: the loss check fires
  kInfUpdate,  // one trained parameter becomes +Inf while the loss is finite: the update check fires
  kBadData,    // a non-finite value in the client's training windows at set-up: validation fires
  kRankExit,   // the hosting process calls _exit(3) mid-round (no MPI_Abort, no MPI_Finalize)
  kRankKill,   // the hosting process raises SIGKILL on itself mid-round
  kHang,       // local training never returns (sleeps forever): only run.stall_timeout ends the job
};

struct InjectedFault {
  FaultKind kind = FaultKind::kNone;
  std::int64_t client = 0;
  std::int64_t round = 1;  // strikes the first time the client trains in this round or later
  std::string where;       // "rank R of P (host H)": for the line a dying process prints

  bool active() const { return kind != FaultKind::kNone; }
  // whether the fault strikes `client` training in `round` (never for kBadData: set-up only)
  bool strikes(std::int64_t client, std::int64_t round) const;
};

// the values debug.fault takes, "none" first
std::vector<std::string> fault_names();

// debug.fault, debug.fault_client, debug.fault_round; `where` from the session.
InjectedFault injected_fault_from_config(const Config& config, const comm::MpiSession& mpi);

// InputError when the fault names a client the run does not have (a fault that never fires
// would let a test pass for the wrong reason).
void check_fault_client(const InjectedFault& fault, std::size_t clients);

// kBadData: a NaN in the first training window's last input step (set-up, before validation).
void inject_at_setup(const InjectedFault& fault, data::ClientDataset& client);
// kException throws; kNanLoss poisons the client's training inputs; kRankExit / kRankKill end
// the process after one line on stderr; kHang sleeps forever. Called right before the client's local training.
void inject_before_local_train(const InjectedFault& fault, std::int64_t round, data::ClientDataset& client);
// kInfUpdate: the trained parameters get an +Inf element. Called right after local training.
void inject_after_local_train(const InjectedFault& fault, std::int64_t client, std::int64_t round,
                              std::span<float> params);

}  // namespace fedload::app
