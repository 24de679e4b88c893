#pragma once
// Reading and writing fedload attributes on an HDF5 object. Strings are variable-length UTF-8
// (h5py reads them as str), lists are 1-D arrays of them, integers are int64, reals float64.
#include <optional>
#include <string_view>

#include <hdf5.h>

#include "fedload/io/attribute.hpp"

namespace fedload::io {

// creates the attribute, replacing one of the same name (only outside SWMR-write mode).
void write_attribute(hid_t object, const Attribute& attribute);

// every attribute of `object`, in creation order when the file tracks it, else by name.
AttributeList read_attributes(hid_t object);

// the attribute called `name`, or nothing when the object has none of that name.
std::optional<AttributeValue> read_attribute(hid_t object, std::string_view name);

}  // namespace fedload::io
