#include "fedload/io/attribute.hpp"

#include <fmt/format.h>

namespace fedload::io {

const Attribute* find_attribute(const AttributeList& list, std::string_view name) {
  for (const auto& a : list)
    if (a.name == name) return &a;
  return nullptr;
}

std::string to_display_string(const AttributeValue& value) {
  struct Visitor {
    std::string operator()(const std::string& s) const { return s; }
    std::string operator()(std::int64_t v) const { return fmt::format("{}", v); }
    std::string operator()(double v) const { return fmt::format("{}", v); }
    std::string operator()(const StringList& list) const { return fmt::format("{}", fmt::join(list, ", ")); }
  };
  return std::visit(Visitor{}, value);
}

}  // namespace fedload::io
