#pragma once
// A result file's run description: named values of four kinds (text, integer, real, list of
// text). The same type carries attributes into the writer and out of the reader.
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace fedload::io {

using StringList = std::vector<std::string>;
using AttributeValue = std::variant<std::string, std::int64_t, double, StringList>;

struct Attribute {
  std::string name;
  AttributeValue value;
};
using AttributeList = std::vector<Attribute>;

// the attribute called `name`, or nullptr.
const Attribute* find_attribute(const AttributeList& list, std::string_view name);

// one-line text of a value: strings as they are, numbers shortest round-trip, lists joined by ", ".
std::string to_display_string(const AttributeValue& value);

}  // namespace fedload::io
