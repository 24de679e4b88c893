#pragma once
// One function per config section; each lives beside the code that reads its keys.
#include "fedload/core/config.hpp"

namespace fedload::app {
void add_run_keys(ConfigSchema& s);
void add_data_keys(ConfigSchema& s);
void add_model_keys(ConfigSchema& s);
void add_train_keys(ConfigSchema& s);
void add_fl_keys(ConfigSchema& s);
void add_he_keys(ConfigSchema& s);
void add_dp_keys(ConfigSchema& s);
void add_defects_keys(ConfigSchema& s);
void add_backend_keys(ConfigSchema& s);
void add_output_keys(ConfigSchema& s);
void add_debug_keys(ConfigSchema& s);  // test only (fault_injection.hpp)
}  // namespace fedload::app
