// [dp] keys: differential privacy of the clients' updates.
#include "fedload/app/schema_sections.hpp"

namespace fedload::app {

void add_dp_keys(ConfigSchema& s) {
  s.choice("dp.mode", "off", {"off", "local", "central"},
           "federated: off; local = every client clips its update to L2 <= dp.clip and adds N(0, (dp.noise_multiplier * dp.clip)^2) noise per coordinate before it leaves the client; central = clients clip, the server averages over the fixed D = q N (fl.selection = poisson or all) or D = K (fixed) and adds N(0, (dp.noise_multiplier * dp.clip * fl.server_lr / D)^2) once a round (needs fl.strategy = mean; fixed is accounted without replacement for replacing one client, at noise multiplier dp.noise_multiplier / 2); epsilon per round in the rounds table");
  s.choice("dp.noise", "os", {"os", "seeded"},
           "dp.mode != off: where the noise comes from: os = a secret per-process seed drawn from the OS (private; runs are not reproducible); seeded = run.seed (reproducible, but anyone with the result file can regenerate and subtract the noise: NOT private, for measuring only)");
  s.real("dp.clip", 1.0, 1e-12, 1e12, "dp.mode != off: L2 bound C of a client's update (w_i - g)");
  s.real("dp.noise_multiplier", 1.0, 0.0, 1e6, "dp.mode != off: z, the noise standard deviation in units of dp.clip (> 0)");
  s.real("dp.delta", 1e-5, 1e-300, 0.999999, "dp.mode != off: delta of the reported (epsilon, delta) guarantee");
}

}  // namespace fedload::app
