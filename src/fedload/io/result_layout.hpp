#pragma once
// How fedload lays a result out in HDF5: names of the attributes the writer owns, and the
// mapping of element types. Shared by the writer and the reader so that they cannot disagree.
#include <string_view>

#include <hdf5.h>

#include "fedload/io/result_schema.hpp"

namespace fedload::io::layout {

// root attributes owned by the writer; a caller may not pass them.
inline constexpr std::string_view kFileFormat = "file_format";  // "fedload-result"
inline constexpr std::string_view kFileFormatValue = "fedload-result";
inline constexpr std::string_view kFileFormatVersion = "file_format_version";
inline constexpr std::string_view kStatus = "status";           // "incomplete" until finish()
inline constexpr std::string_view kTables = "tables";           // table paths, declared order
inline constexpr std::string_view kArrays = "arrays";           // array paths, declared order
inline constexpr std::string_view kFinalAttributes = "final_attribute_names";
// written by the writer unless the caller passes them
inline constexpr std::string_view kStartTime = "start_time";
inline constexpr std::string_view kEndTime = "end_time";

inline constexpr std::string_view kStatusComplete = "complete";
inline constexpr std::string_view kStatusIncomplete = "incomplete";

// on a table group
inline constexpr std::string_view kColumns = "columns";
// on tables, columns and arrays
inline constexpr std::string_view kDescription = "description";
inline constexpr std::string_view kUnit = "unit";
inline constexpr std::string_view kElementType = "element_type";
// on category columns: code i means labels[i]
inline constexpr std::string_view kLabels = "labels";

inline constexpr std::int64_t kFormatVersion = 1;

inline bool is_reserved(std::string_view name) {
  return name == kFileFormat || name == kFileFormatVersion || name == kStatus || name == kTables ||
         name == kArrays || name == kFinalAttributes;
}

inline hid_t native_type(ElementType type) {
  switch (type) {
    case ElementType::kFloat32: return H5T_NATIVE_FLOAT;
    case ElementType::kFloat64: return H5T_NATIVE_DOUBLE;
    case ElementType::kInt64: return H5T_NATIVE_INT64;
  }
  return H5T_NATIVE_DOUBLE;
}

}  // namespace fedload::io::layout
