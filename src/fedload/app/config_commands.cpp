// `fedload config show` and `fedload config keys`.
#include <iostream>

#include "fedload/app/commands.hpp"
#include "fedload/app/config_schema.hpp"

namespace fedload::app {

int config_show_command(const std::string& config_path, const std::vector<std::string>& sets) {
  Config cfg(fedload_schema());
  if (!config_path.empty()) cfg.merge_file(config_path);
  for (const auto& s : sets) cfg.apply_set(s);
  std::cout << cfg.to_toml();
  return 0;
}

int config_keys_command(bool markdown) {
  const auto& schema = fedload_schema();
  if (markdown) {
    std::cout << schema.markdown();
    return 0;
  }
  for (const auto& k : schema.keys())
    std::cout << k.path << " = " << format_config_value(k.default_value) << "    # " << k.doc << "\n";
  return 0;
}

}  // namespace fedload::app
