#pragma once
// The few pieces of JSON the report needs, written by hand: fedload has no JSON dependency.
#include <cstdint>
#include <string>
#include <string_view>

namespace fedload::io {

// a JSON string literal with quotes; control characters, quotes and backslashes escaped,
// other bytes (UTF-8) passed through.
std::string json_string(std::string_view text);

// a JSON number: shortest text that reads back as the same double; NaN and infinities, which
// JSON cannot express, become null.
std::string json_number(double value);
std::string json_number(std::int64_t value);

}  // namespace fedload::io
