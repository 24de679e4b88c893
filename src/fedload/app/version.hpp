#pragma once
#include <string>

namespace fedload::app {
// "fedload 0.1.0 (commit ..., Release)" plus the compiled-in features, one per line.
std::string version_text();
}  // namespace fedload::app
