// [dp] keys: differential privacy of the clients' updates.
#include "fedload/app/schema_sections.hpp"

namespace fedload::app {

void add_dp_keys(ConfigSchema& s) {
  s.choice("dp.mode", "off", {"off", "local"},
           "federated: off; local = every client clips its update to L2 <= dp.clip and adds N(0, (dp.noise_multiplier * dp.clip)^2) noise per coordinate before it leaves the client; epsilon per round in the rounds table");
  s.real("dp.clip", 1.0, 1e-12, 1e12, "dp.mode = \"local\": L2 bound C of a client's update (w_i - g)");
  s.real("dp.noise_multiplier", 1.0, 0.0, 1e6, "dp.mode = \"local\": z, the noise standard deviation in units of dp.clip (> 0)");
  s.real("dp.delta", 1e-5, 1e-300, 0.999999, "dp.mode = \"local\": delta of the reported (epsilon, delta) guarantee");
}

}  // namespace fedload::app
