#pragma once
// The data tests' scratch folder for small CSV files: the shared one of tests/support.
#include "support/temp_dir.hpp"

namespace fedload::data::testing {
using TempDir = fedload::testing::TempDir;
}  // namespace fedload::data::testing
