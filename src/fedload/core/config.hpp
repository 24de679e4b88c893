#pragma once
// Typed, validated configuration. A Schema lists every key fedload knows (section.key path,
// type, default, allowed range or choices, one documentation line); a Config is the effective
// value of every key plus where it came from (default, file:line, or --set). Unknown keys, wrong
// types and out-of-range values are InputErrors naming file:line and the key path (exit 2).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace fedload {

enum class ConfigType { kInt, kFloat, kBool, kString, kChoice, kStringList };

using ConfigValue = std::variant<std::int64_t, double, bool, std::string, std::vector<std::string>>;

struct ConfigKey {
  std::string path;  // "section.key" or "section.sub.key"
  ConfigType type = ConfigType::kInt;
  ConfigValue default_value;
  std::optional<double> min;         // inclusive, for kInt and kFloat
  std::optional<double> max;         // inclusive
  std::vector<std::string> choices;  // for kChoice
  std::string doc;                   // one line for the README table
  std::string unit;                  // optional ("s", "steps", ...)
};

class ConfigSchema {
 public:
  ConfigSchema& add(ConfigKey key);
  // Shorthands that read like a table.
  ConfigSchema& integer(const std::string& path, std::int64_t def, double min, double max,
                        std::string doc);
  ConfigSchema& real(const std::string& path, double def, double min, double max, std::string doc);
  ConfigSchema& boolean(const std::string& path, bool def, std::string doc);
  ConfigSchema& string(const std::string& path, std::string def, std::string doc);
  ConfigSchema& choice(const std::string& path, std::string def, std::vector<std::string> choices,
                       std::string doc);
  ConfigSchema& string_list(const std::string& path, std::vector<std::string> def, std::string doc);

  const ConfigKey* find(const std::string& path) const;
  const std::vector<ConfigKey>& keys() const { return keys_; }
  bool is_section(const std::string& prefix) const;  // some key starts with prefix + "."
  // Closest known key by edit distance (for "did you mean"), or empty.
  std::string suggest(const std::string& path) const;
  // Markdown table of every key (the README's config reference is generated from this).
  std::string markdown() const;

 private:
  std::vector<ConfigKey> keys_;
  std::map<std::string, std::size_t> index_;
};

class Config {
 public:
  explicit Config(const ConfigSchema& schema);  // all defaults

  // Reads a TOML file; every key is validated against the schema.
  void merge_file(const std::string& path);
  // Merges TOML text (used by tests and for config stored in result files); `origin` names it.
  void merge_toml(const std::string& text, const std::string& origin);
  // "section.key=value"; the value is parsed according to the key's type.
  void apply_set(const std::string& assignment);

  std::int64_t get_int(const std::string& path) const;
  double get_double(const std::string& path) const;
  bool get_bool(const std::string& path) const;
  const std::string& get_string(const std::string& path) const;  // kString and kChoice
  const std::vector<std::string>& get_list(const std::string& path) const;
  // "default", "FILE:LINE" or "--set".
  const std::string& origin(const std::string& path) const;

  // The effective config as TOML (every key, schema order, grouped by section).
  std::string to_toml() const;
  const ConfigSchema& schema() const { return *schema_; }

 private:
  void set_value(const ConfigKey& key, ConfigValue v, const std::string& where);
  const ConfigValue& value(const std::string& path, ConfigType want) const;
  const ConfigSchema* schema_;
  std::map<std::string, ConfigValue> values_;
  std::map<std::string, std::string> origins_;
};

std::string format_config_value(const ConfigValue& v);

}  // namespace fedload
