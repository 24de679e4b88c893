#include "fedload/io/hdf5_error.hpp"

#include <vector>

#include "fedload/core/error.hpp"

namespace fedload::io {

void silence_hdf5_error_printing() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

namespace {

herr_t collect_error(unsigned /*depth*/, const H5E_error2_t* entry, void* out) {
  auto& lines = *static_cast<std::vector<std::string>*>(out);
  std::string line = entry->func_name ? entry->func_name : "?";
  line += ": ";
  line += entry->desc ? entry->desc : "";
  char minor[128] = {0};
  if (H5Eget_msg(entry->min_num, nullptr, minor, sizeof minor) > 0) {
    line += " (";
    line += minor;
    line += ")";
  }
  lines.push_back(std::move(line));
  return 0;
}

}  // namespace

std::string hdf5_error_stack() {
  std::vector<std::string> lines;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect_error, &lines);
  // the stack can be a dozen frames deep; the first frames name the call, the last the cause,
  // so long stacks keep both ends.
  constexpr std::size_t kKeep = 3;
  std::string text;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines.size() > 2 * kKeep && i == kKeep) {
      text += "; ...";
      i = lines.size() - kKeep;
    }
    if (!text.empty()) text += "; ";
    text += lines[i];
  }
  H5Eclear2(H5E_DEFAULT);
  return text;
}

void throw_hdf5_error(std::string_view operation, std::string_view object) {
  std::string stack = hdf5_error_stack();
  if (stack.empty()) stack = "no HDF5 error message";
  throw_runtime_error("HDF5 {} failed for '{}': {}", operation, object, stack);
}

hid_t hdf5_check(hid_t id, std::string_view operation, std::string_view object) {
  if (id < 0) throw_hdf5_error(operation, object);
  return id;
}

void hdf5_check_status(herr_t status, std::string_view operation, std::string_view object) {
  if (status < 0) throw_hdf5_error(operation, object);
}

}  // namespace fedload::io
