#include "fedload/core/config.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <functional>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "fedload/core/error.hpp"

namespace fedload {
namespace {

const char* type_name(ConfigType t) {
  switch (t) {
    case ConfigType::kInt: return "integer";
    case ConfigType::kFloat: return "number";
    case ConfigType::kBool: return "boolean";
    case ConfigType::kString: return "string";
    case ConfigType::kChoice: return "string";
    case ConfigType::kStringList: return "list of strings";
  }
  return "?";
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string quote_toml(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default: out += c;
    }
  }
  return out + "\"";
}

std::string describe_range(const ConfigKey& k) {
  if (k.type == ConfigType::kChoice) {
    std::string s;
    for (const auto& c : k.choices) {
      if (!s.empty()) s += ", ";
      s += quote_toml(c);
    }
    return "one of " + s;
  }
  if (k.min && k.max) return fmt::format("in [{}, {}]", *k.min, *k.max);
  if (k.min) return fmt::format(">= {}", *k.min);
  if (k.max) return fmt::format("<= {}", *k.max);
  return "";
}

std::string where(const std::string& origin, const std::string& path) {
  return fmt::format("{}: config key '{}'", origin, path);
}

// Checks range/choices of a typed value; throws with `origin`.
void check_value(const ConfigKey& k, const ConfigValue& v, const std::string& origin) {
  auto out_of_range = [&](double x) {
    return (k.min && x < *k.min) || (k.max && x > *k.max) || std::isnan(x);
  };
  if (k.type == ConfigType::kInt) {
    const auto x = std::get<std::int64_t>(v);
    if (out_of_range(static_cast<double>(x)))
      throw_input_error("{}: value {} is out of range (allowed: {})", where(origin, k.path), x,
                        describe_range(k));
  } else if (k.type == ConfigType::kFloat) {
    const auto x = std::get<double>(v);
    if (!std::isfinite(x) || out_of_range(x))
      throw_input_error("{}: value {} is out of range (allowed: {})", where(origin, k.path), x,
                        describe_range(k));
  } else if (k.type == ConfigType::kChoice) {
    const auto& s = std::get<std::string>(v);
    if (std::find(k.choices.begin(), k.choices.end(), s) == k.choices.end())
      throw_input_error("{}: {} is not allowed (allowed: {})", where(origin, k.path),
                        quote_toml(s), describe_range(k));
  }
}

// Converts a TOML node to the key's type, or throws naming what was found.
ConfigValue from_toml(const ConfigKey& k, const toml::node& n, const std::string& origin) {
  auto wrong = [&](const char* found) -> ConfigValue {
    throw_input_error("{}: expected a {}, found {}", where(origin, k.path), type_name(k.type),
                      found);
  };
  const char* found = n.is_integer()           ? "an integer"
                      : n.is_floating_point()  ? "a floating-point number"
                      : n.is_boolean()         ? "a boolean"
                      : n.is_string()          ? "a string"
                      : n.is_array()           ? "an array"
                      : n.is_table()           ? "a table"
                                               : "a date/time";
  switch (k.type) {
    case ConfigType::kInt:
      if (n.is_integer()) return n.value<std::int64_t>().value();
      return wrong(found);
    case ConfigType::kFloat:
      if (n.is_floating_point()) return n.value<double>().value();
      if (n.is_integer()) return static_cast<double>(n.value<std::int64_t>().value());
      return wrong(found);
    case ConfigType::kBool:
      if (n.is_boolean()) return n.value<bool>().value();
      return wrong(found);
    case ConfigType::kString:
    case ConfigType::kChoice:
      if (n.is_string()) return std::string(n.value<std::string_view>().value());
      return wrong(found);
    case ConfigType::kStringList: {
      if (!n.is_array()) return wrong(found);
      std::vector<std::string> out;
      for (const auto& e : *n.as_array()) {
        if (!e.is_string())
          throw_input_error("{}: every element must be a string", where(origin, k.path));
        out.emplace_back(e.value<std::string_view>().value());
      }
      return out;
    }
  }
  return wrong(found);
}

std::string trim(std::string s) {
  const auto b = s.find_first_not_of(" \t");
  const auto e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

std::string unquote(const std::string& s) {
  if (s.size() >= 2 && ((s.front() == '"' && s.back() == '"') || (s.front() == '\'' && s.back() == '\'')))
    return s.substr(1, s.size() - 2);
  return s;
}

ConfigValue from_text(const ConfigKey& k, const std::string& raw, const std::string& origin) {
  const std::string text = trim(raw);
  auto bad = [&]() -> ConfigValue {
    throw_input_error("{}: cannot read '{}' as a {}", where(origin, k.path), text,
                      type_name(k.type));
  };
  switch (k.type) {
    case ConfigType::kInt: {
      std::int64_t x = 0;
      auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), x);
      if (ec != std::errc() || p != text.data() + text.size() || text.empty()) return bad();
      return x;
    }
    case ConfigType::kFloat: {
      try {
        std::size_t used = 0;
        const double x = std::stod(text, &used);
        if (used != text.size()) return bad();
        return x;
      } catch (const std::exception&) {
        return bad();
      }
    }
    case ConfigType::kBool:
      if (text == "true") return true;
      if (text == "false") return false;
      return bad();
    case ConfigType::kString:
    case ConfigType::kChoice:
      return unquote(text);
    case ConfigType::kStringList: {
      std::string body = text;
      if (!body.empty() && body.front() == '[' && body.back() == ']') body = body.substr(1, body.size() - 2);
      std::vector<std::string> out;
      std::stringstream ss(body);
      std::string item;
      while (std::getline(ss, item, ',')) {
        item = unquote(trim(item));
        if (!item.empty()) out.push_back(item);
      }
      return out;
    }
  }
  return bad();
}

}  // namespace

// ---- schema ----

ConfigSchema& ConfigSchema::add(ConfigKey key) {
  if (index_.count(key.path)) throw_runtime_error("config schema: key '{}' declared twice", key.path);
  check_value(key, key.default_value, "schema default");
  index_[key.path] = keys_.size();
  keys_.push_back(std::move(key));
  return *this;
}

ConfigSchema& ConfigSchema::integer(const std::string& path, std::int64_t def, double min,
                                    double max, std::string doc) {
  return add({path, ConfigType::kInt, def, min, max, {}, std::move(doc), ""});
}
ConfigSchema& ConfigSchema::real(const std::string& path, double def, double min, double max,
                                 std::string doc) {
  return add({path, ConfigType::kFloat, def, min, max, {}, std::move(doc), ""});
}
ConfigSchema& ConfigSchema::boolean(const std::string& path, bool def, std::string doc) {
  return add({path, ConfigType::kBool, def, {}, {}, {}, std::move(doc), ""});
}
ConfigSchema& ConfigSchema::string(const std::string& path, std::string def, std::string doc) {
  return add({path, ConfigType::kString, std::move(def), {}, {}, {}, std::move(doc), ""});
}
ConfigSchema& ConfigSchema::choice(const std::string& path, std::string def,
                                   std::vector<std::string> choices, std::string doc) {
  return add({path, ConfigType::kChoice, std::move(def), {}, {}, std::move(choices), std::move(doc), ""});
}
ConfigSchema& ConfigSchema::string_list(const std::string& path, std::vector<std::string> def,
                                        std::string doc) {
  return add({path, ConfigType::kStringList, std::move(def), {}, {}, {}, std::move(doc), ""});
}

const ConfigKey* ConfigSchema::find(const std::string& path) const {
  auto it = index_.find(path);
  return it == index_.end() ? nullptr : &keys_[it->second];
}

bool ConfigSchema::is_section(const std::string& prefix) const {
  const std::string p = prefix + ".";
  return std::any_of(keys_.begin(), keys_.end(),
                     [&](const ConfigKey& k) { return k.path.rfind(p, 0) == 0; });
}

std::string ConfigSchema::suggest(const std::string& path) const {
  std::string best;
  std::size_t best_d = std::max<std::size_t>(3, path.size() / 3) + 1;
  for (const auto& k : keys_) {
    const std::size_t d = edit_distance(path, k.path);
    if (d < best_d) {
      best_d = d;
      best = k.path;
    }
  }
  return best;
}

std::string ConfigSchema::markdown() const {
  std::string out = "| key | type | default | allowed | meaning |\n|---|---|---|---|---|\n";
  for (const auto& k : keys_) {
    std::string allowed = describe_range(k);
    for (auto& c : allowed)
      if (c == '|') c = '/';
    out += fmt::format("| `{}` | {} | `{}` | {} | {} |\n", k.path, type_name(k.type),
                       format_config_value(k.default_value), allowed, k.doc);
  }
  return out;
}

// ---- config ----

std::string format_config_value(const ConfigValue& v) {
  return std::visit(
      [](const auto& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::int64_t>) {
          return std::to_string(x);
        } else if constexpr (std::is_same_v<T, double>) {
          std::string s = fmt::format("{}", x);
          if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
          return s;
        } else if constexpr (std::is_same_v<T, bool>) {
          return x ? "true" : "false";
        } else if constexpr (std::is_same_v<T, std::string>) {
          return quote_toml(x);
        } else {
          std::string s = "[";
          for (std::size_t i = 0; i < x.size(); ++i) {
            if (i) s += ", ";
            s += quote_toml(x[i]);
          }
          return s + "]";
        }
      },
      v);
}

Config::Config(const ConfigSchema& schema) : schema_(&schema) {
  for (const auto& k : schema.keys()) {
    values_[k.path] = k.default_value;
    origins_[k.path] = "default";
  }
}

void Config::set_value(const ConfigKey& key, ConfigValue v, const std::string& where_from) {
  check_value(key, v, where_from);
  values_[key.path] = std::move(v);
  origins_[key.path] = where_from;
}

namespace {
void walk(const toml::table& tbl, const std::string& prefix, const std::string& file,
          const ConfigSchema& schema,
          const std::function<void(const ConfigKey&, const toml::node&, const std::string&)>& set) {
  for (const auto& [k, node] : tbl) {
    const std::string path = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    const auto line = node.source().begin.line;
    const std::string origin = line ? fmt::format("{}:{}", file, line) : file;
    if (node.is_table()) {
      if (schema.find(path))
        throw_input_error("{}: config key '{}' must be a value, not a table", origin, path);
      if (!schema.is_section(path)) {
        const std::string hint = schema.suggest(path);
        throw_input_error("{}: unknown config section [{}]{}", origin, path,
                          hint.empty() ? "" : fmt::format(" (did you mean '{}'?)", hint));
      }
      walk(*node.as_table(), path, file, schema, set);
      continue;
    }
    const ConfigKey* key = schema.find(path);
    if (!key) {
      const std::string hint = schema.suggest(path);
      if (prefix.empty() && schema.is_section(path))
        throw_input_error("{}: '{}' is a section; write [{}]", origin, path, path);
      throw_input_error("{}: unknown config key '{}'{}", origin, path,
                        hint.empty() ? "" : fmt::format(" (did you mean '{}'?)", hint));
    }
    set(*key, node, origin);
  }
}
}  // namespace

void Config::merge_toml(const std::string& text, const std::string& origin) {
  toml::table tbl;
  try {
    tbl = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    throw_input_error("{}:{}:{}: invalid TOML: {}", origin, e.source().begin.line,
                      e.source().begin.column, e.description());
  }
  walk(tbl, "", origin, *schema_,
       [this](const ConfigKey& key, const toml::node& node, const std::string& where_from) {
         set_value(key, from_toml(key, node, where_from), where_from);
       });
}

void Config::merge_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw_input_error("cannot open config file '{}'", path);
  std::stringstream ss;
  ss << in.rdbuf();
  merge_toml(ss.str(), path);
}

void Config::apply_set(const std::string& assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw_input_error("--set '{}': expected section.key=value", assignment);
  const std::string path = trim(assignment.substr(0, eq));
  const ConfigKey* key = schema_->find(path);
  if (!key) {
    const std::string hint = schema_->suggest(path);
    throw_input_error("--set: unknown config key '{}'{}", path,
                      hint.empty() ? "" : fmt::format(" (did you mean '{}'?)", hint));
  }
  set_value(*key, from_text(*key, assignment.substr(eq + 1), "--set"), "--set");
}

const ConfigValue& Config::value(const std::string& path, ConfigType want) const {
  const ConfigKey* key = schema_->find(path);
  if (!key) throw_runtime_error("config: no key '{}' in the schema", path);
  const bool ok = key->type == want ||
                  (want == ConfigType::kString && key->type == ConfigType::kChoice);
  if (!ok) throw_runtime_error("config: key '{}' is a {}, read as a {}", path, type_name(key->type), type_name(want));
  return values_.at(path);
}

std::int64_t Config::get_int(const std::string& path) const {
  return std::get<std::int64_t>(value(path, ConfigType::kInt));
}
double Config::get_double(const std::string& path) const {
  return std::get<double>(value(path, ConfigType::kFloat));
}
bool Config::get_bool(const std::string& path) const {
  return std::get<bool>(value(path, ConfigType::kBool));
}
const std::string& Config::get_string(const std::string& path) const {
  return std::get<std::string>(value(path, ConfigType::kString));
}
const std::vector<std::string>& Config::get_list(const std::string& path) const {
  return std::get<std::vector<std::string>>(value(path, ConfigType::kStringList));
}
const std::string& Config::origin(const std::string& path) const { return origins_.at(path); }

std::string Config::to_toml() const {
  // group by the section part (everything before the last dot), in schema order
  std::vector<std::string> sections;
  for (const auto& k : schema_->keys()) {
    const std::string sec = k.path.substr(0, k.path.rfind('.'));
    if (std::find(sections.begin(), sections.end(), sec) == sections.end()) sections.push_back(sec);
  }
  std::string out;
  for (const auto& sec : sections) {
    if (!out.empty()) out += '\n';
    out += fmt::format("[{}]\n", sec);
    for (const auto& k : schema_->keys()) {
      if (k.path.substr(0, k.path.rfind('.')) != sec) continue;
      out += fmt::format("{} = {}\n", k.path.substr(k.path.rfind('.') + 1),
                         format_config_value(values_.at(k.path)));
    }
  }
  return out;
}

}  // namespace fedload
