#pragma once
#include "fedload/core/config.hpp"

namespace fedload::app {

// Every config key fedload reads, in README order. One add_*_keys function per section.
const ConfigSchema& fedload_schema();

}  // namespace fedload::app
