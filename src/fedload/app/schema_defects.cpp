// [defects] keys: defective clients for robustness experiments (data/integrity_attack.hpp,
// fl/defects.hpp).
#include "fedload/app/schema_sections.hpp"

namespace fedload::app {

void add_defects_keys(ConfigSchema& s) {
  s.choice("defects.kind", "none", {"none", "scaling", "ramp", "random", "noise", "sign_flip"},
           "what the defective clients do: none; data-integrity attacks on their training load (scaling: x(1+m); ramp: x(1+m r), r a 0-1-0 triangle over each day; random: x(1+u), u ~ U(-m, m)); or to their update (noise: + N(0, (m rms(update))^2) per coordinate, communication noise; sign_flip: sends -m times the update). Validation and test data stay true");
  s.real("defects.fraction", 0.25, 0.0, 1.0,
         "defects.kind != none: share of the clients that are defective (round(fraction * clients), drawn from run.seed, fixed for the run)");
  s.real("defects.magnitude", 1.0, -1e6, 1e6, "defects.kind != none: m in the formulas of defects.kind");
  s.real("defects.coverage", 1.0, 0.0, 1.0,
         "scaling / ramp / random: share of a defective client's training days attacked (whole days, drawn from run.seed), in (0, 1]");
}

}  // namespace fedload::app
