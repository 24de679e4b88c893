#pragma once
#include "fedload/core/config.hpp"
#include "fedload/data/dataset.hpp"

namespace fedload::app {
// The [data] section (and fl.clients) as the data pipeline's options.
data::DataOptions data_options_from_config(const Config& c);
}  // namespace fedload::app
