// `fedload privacy epsilon`: the RDP accountant on its own, to plan a DP run before starting it
// (what noise multiplier reaches a target epsilon over so many rounds at this sampling rate).
#include <cmath>
#include <cstdio>

#include <fmt/format.h>

#include "fedload/app/commands.hpp"
#include "fedload/core/error.hpp"
#include "fedload/privacy/rdp_accountant.hpp"

namespace fedload::app {

int privacy_epsilon_command(const PrivacyEpsilonArgs& a) {
  privacy::Sampling sampling = privacy::Sampling::kPoisson;
  if (a.sampling == "without_replacement")
    sampling = privacy::Sampling::kWithoutReplacement;
  else if (a.sampling != "poisson")
    throw_input_error("--sampling {}: poisson or without_replacement", a.sampling);
  privacy::RdpConversion conversion = privacy::RdpConversion::kBalle2020;
  if (a.conversion == "classic")
    conversion = privacy::RdpConversion::kClassic;
  else if (a.conversion != "balle")
    throw_input_error("--conversion {}: balle or classic", a.conversion);
  if (a.steps < 0) throw_input_error("--steps {}: must be >= 0", a.steps);
  // the accountant checks q, z and delta with messages naming them
  const privacy::RdpAccountant accountant;
  const privacy::PrivacySpent spent = accountant.epsilon_after(a.q, a.z, a.steps, a.delta, conversion, sampling);
  if (a.json) {
    std::printf("{\"q\": %.17g, \"z\": %.17g, \"steps\": %lld, \"delta\": %.17g, \"sampling\": \"%s\", "
                "\"conversion\": \"%s\", \"epsilon\": %.17g, \"order\": %.17g}\n",
                a.q, a.z, static_cast<long long>(a.steps), a.delta, std::string(privacy::sampling_name(sampling)).c_str(),
                std::string(privacy::conversion_name(conversion)).c_str(), spent.epsilon, spent.order);
  } else {
    std::printf("%s\n", fmt::format("epsilon = {:.6g} at delta = {:g} (order {:g}) after {} step(s) of the {}-sampled "
                                    "Gaussian mechanism, q = {:g}, noise multiplier z = {:g} ({} conversion)",
                                    spent.epsilon, a.delta, spent.order, a.steps,
                                    privacy::sampling_name(sampling), a.q, a.z, privacy::conversion_name(conversion))
                            .c_str());
  }
  return 0;
}

}  // namespace fedload::app
