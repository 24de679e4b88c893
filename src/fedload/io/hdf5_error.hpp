#pragma once
// HDF5 failures as fedload errors. HDF5 prints its error stack to stderr by default, which
// would interleave with fedload's own output on every rank; we switch that off and instead put
// the stack's messages into the fedload::Error we throw, next to the operation and object name.
#include <string>
#include <string_view>

#include <hdf5.h>

namespace fedload::io {

// turns off HDF5's automatic error printing; cheap, called by every entry point of io.
void silence_hdf5_error_printing();

// the messages on HDF5's current error stack, innermost cause last ("" when empty).
std::string hdf5_error_stack();

// throws fedload::Error (runtime) "HDF5 <operation> failed for '<object>': <stack>".
[[noreturn]] void throw_hdf5_error(std::string_view operation, std::string_view object);

// returns `id` when it is valid; otherwise throws as above.
hid_t hdf5_check(hid_t id, std::string_view operation, std::string_view object);
// throws as above when `status` is negative.
void hdf5_check_status(herr_t status, std::string_view operation, std::string_view object);

}  // namespace fedload::io
