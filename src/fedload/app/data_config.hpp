#pragma once
#include "fedload/core/config.hpp"
#include "fedload/data/dataset.hpp"

namespace fedload::app {
// The [data] section (and fl.clients) as the data pipeline's options.
// With defects.kind a data-integrity attack (scaling, ramp, random), the options carry it and
// the defective clients (fl::defective_clients); InputError for its magnitude or coverage.
data::DataOptions data_options_from_config(const Config& c);
// defects.kind as a data-integrity attack; kNone for none and for update defects
data::AttackKind data_attack_from_config(const Config& c);
}  // namespace fedload::app
