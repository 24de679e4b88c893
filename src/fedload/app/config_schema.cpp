#include "fedload/app/config_schema.hpp"

#include "fedload/app/schema_sections.hpp"

namespace fedload::app {

const ConfigSchema& fedload_schema() {
  static const ConfigSchema schema = [] {
    ConfigSchema s;
    add_run_keys(s);
    add_data_keys(s);
    add_model_keys(s);
    add_train_keys(s);
    add_fl_keys(s);
    add_he_keys(s);
    add_dp_keys(s);
    add_defects_keys(s);
    add_backend_keys(s);
    add_output_keys(s);
    add_debug_keys(s);
    return s;
  }();
  return schema;
}

}  // namespace fedload::app
