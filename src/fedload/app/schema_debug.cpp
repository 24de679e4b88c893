// [debug] keys: test-only switches (fault injection) that no experiment should set.
#include "fedload/app/fault_injection.hpp"
#include "fedload/app/schema_sections.hpp"

namespace fedload::app {

void add_debug_keys(ConfigSchema& s) {
  s.choice("debug.fault", "none", fault_names(),
           "TEST ONLY (federated): make client debug.fault_client fail the first time it trains in round debug.fault_round or later: exception = local training throws; nan_loss = its training inputs turn NaN; inf_update = a trained parameter becomes +Inf; bad_data = a NaN in its training windows at set-up (debug.fault_round unused); rank_exit = its process calls _exit(3); rank_kill = its process raises SIGKILL; hang = its local training sleeps forever (for run.stall_timeout)");
  s.integer("debug.fault_client", 0, 0, 1000000, "TEST ONLY: the client that fails (a client of the run)");
  s.integer("debug.fault_round", 1, 1, 1000000, "TEST ONLY: the round from which the fault strikes");
}

}  // namespace fedload::app
