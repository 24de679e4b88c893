#include "fedload/io/result_reader.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "fedload/core/error.hpp"
#include "fedload/io/hdf5_attribute.hpp"
#include "fedload/io/hdf5_error.hpp"
#include "fedload/io/hdf5_handle.hpp"
#include "fedload/io/result_layout.hpp"

namespace fedload::io {

double ColumnData::value(std::size_t row, std::size_t j) const {
  const std::size_t i = row * values_per_row() + j;
  return is_integer() ? static_cast<double>(integers.at(i)) : reals.at(i);
}

std::string ColumnData::label(std::size_t row) const {
  const std::int64_t code = integers.at(row);
  if (code >= 0 && static_cast<std::size_t>(code) < labels.size()) return labels[static_cast<std::size_t>(code)];
  return fmt::format("?{}", code);
}

const ColumnData* TableData::column(std::string_view name) const {
  for (const auto& c : columns)
    if (c.name == name) return &c;
  return nullptr;
}

namespace {

std::string string_or(const std::optional<AttributeValue>& value, std::string fallback = {}) {
  if (value)
    if (const auto* s = std::get_if<std::string>(&*value)) return *s;
  return fallback;
}

StringList list_or_empty(const std::optional<AttributeValue>& value) {
  if (value) {
    if (const auto* l = std::get_if<StringList>(&*value)) return *l;
    if (const auto* s = std::get_if<std::string>(&*value)) return {*s};  // a one-element list read back as text
  }
  return {};
}

ElementType element_type_of(hid_t dataset, const std::string& path) {
  const std::string name = string_or(read_attribute(dataset, layout::kElementType));
  if (name == "float32") return ElementType::kFloat32;
  if (name == "float64") return ElementType::kFloat64;
  if (name == "int64") return ElementType::kInt64;
  // no attribute (a dataset made by another tool): judge by the stored type.
  DatatypeHandle type{hdf5_check(H5Dget_type(dataset), "get dataset type", path)};
  return H5Tget_class(type.get()) == H5T_INTEGER ? ElementType::kInt64 : ElementType::kFloat64;
}

ArrayShape shape_of(hid_t dataset, const std::string& path) {
  DataspaceHandle space{hdf5_check(H5Dget_space(dataset), "get dataspace", path)};
  hsize_t dims[2] = {0, 0};
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 1 || rank > 2) throw_runtime_error("dataset '{}' has {} dimensions; fedload writes 1 or 2", path, rank);
  H5Sget_simple_extent_dims(space.get(), dims, nullptr);
  return {.rows = dims[0], .width = rank == 2 ? static_cast<std::size_t>(dims[1]) : 0,
          .type = element_type_of(dataset, path)};
}

// rows [first, first + count) of a dataset (every row when count is npos)
ColumnData read_dataset(hid_t parent, const std::string& name, const std::string& path, std::size_t first = 0,
                        std::size_t count = std::string::npos) {
  DatasetHandle dataset{hdf5_check(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), "open dataset", path)};
  const ArrayShape shape = shape_of(dataset.get(), path);
  const bool whole = count == std::string::npos;
  if (whole) count = shape.rows;
  if (first > shape.rows || count > shape.rows - first)
    throw_runtime_error("'{}': rows {} to {} asked for, it has {}", path, first, first + count, shape.rows);
  ColumnData data;
  data.name = name;
  data.type = shape.type;
  data.rows = count;
  data.width = shape.width;
  data.unit = string_or(read_attribute(dataset.get(), layout::kUnit));
  data.description = string_or(read_attribute(dataset.get(), layout::kDescription));
  data.labels = list_or_empty(read_attribute(dataset.get(), layout::kLabels));
  const std::size_t values = data.rows * data.values_per_row();
  if (values == 0) return data;
  // the whole dataset, or a hyperslab of rows (every column of a 2-D one) and a memory space of its size
  hid_t file_space = H5S_ALL, memory_space = H5S_ALL;
  DataspaceHandle selected, memory;
  if (!whole) {
    selected = DataspaceHandle{hdf5_check(H5Dget_space(dataset.get()), "dataset space", path)};
    const hsize_t start[2] = {first, 0}, block[2] = {count, data.values_per_row()};
    hdf5_check_status(H5Sselect_hyperslab(selected.get(), H5S_SELECT_SET, start, nullptr, block, nullptr),
                      "select rows", path);
    const hsize_t flat = values;
    memory = DataspaceHandle{hdf5_check(H5Screate_simple(1, &flat, nullptr), "memory space", path)};
    file_space = selected.get();
    memory_space = memory.get();
  }
  if (data.is_integer()) {
    data.integers.resize(values);
    hdf5_check_status(
        H5Dread(dataset.get(), H5T_NATIVE_INT64, memory_space, file_space, H5P_DEFAULT, data.integers.data()),
        "read dataset", path);
  } else {
    data.reals.resize(values);
    hdf5_check_status(H5Dread(dataset.get(), H5T_NATIVE_DOUBLE, memory_space, file_space, H5P_DEFAULT, data.reals.data()),
                      "read dataset", path);
  }
  return data;
}

void keep_rows(ColumnData& column, std::size_t rows) {
  const std::size_t count = rows * column.values_per_row();
  column.rows = rows;
  if (column.is_integer())
    column.integers.resize(count);
  else
    column.reals.resize(count);
}

}  // namespace

struct ResultReader::State {
  std::filesystem::path path;
  std::string path_text;
  FileHandle file;
  bool unclosed = false;
  AttributeList attributes;
  StringList tables;
  StringList arrays;

  void require_table(std::string_view name) const {
    if (std::find(tables.begin(), tables.end(), name) == tables.end())
      throw_runtime_error("result file '{}' has no table '{}'", path_text, name);
  }
  void require_array(std::string_view name) const {
    if (std::find(arrays.begin(), arrays.end(), name) == arrays.end())
      throw_runtime_error("result file '{}' has no array '{}'", path_text, name);
  }
};

ResultReader ResultReader::open(const std::filesystem::path& path) {
  silence_hdf5_error_printing();
  auto state = std::make_unique<State>();
  state->path = path;
  state->path_text = path.string();
  const std::string& text = state->path_text;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw_input_error("result file '{}' does not exist", text);
  if (!std::filesystem::is_regular_file(path, ec)) throw_input_error("result file '{}' is not a regular file", text);
  const htri_t is_hdf5 = H5Fis_hdf5(text.c_str());
  if (is_hdf5 == 0) throw_input_error("'{}' is not an HDF5 file (expected a fedload result file)", text);
  if (is_hdf5 < 0) throw_input_error("'{}' cannot be read: {}", text, hdf5_error_stack());

  hid_t id = H5Fopen(text.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (id < 0) {
    // a writer that never closed the file left it marked as open for writing; SWMR reading is
    // the mode that accepts such a file (and one still being written).
    const std::string plain_error = hdf5_error_stack();
    id = H5Fopen(text.c_str(), H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, H5P_DEFAULT);
    if (id < 0)
      throw_runtime_error("cannot open result file '{}': {} (and in SWMR-read mode: {})", text, plain_error,
                          hdf5_error_stack());
    state->unclosed = true;
  }
  state->file = FileHandle{id};
  state->attributes = read_attributes(id);
  const Attribute* format = find_attribute(state->attributes, layout::kFileFormat);
  const auto* format_text = format ? std::get_if<std::string>(&format->value) : nullptr;
  if (!format_text || *format_text != layout::kFileFormatValue)
    throw_input_error("'{}' is an HDF5 file but not a fedload result file (no file_format = \"{}\" attribute)", text,
                      layout::kFileFormatValue);
  auto list_attribute = [&](std::string_view name) {
    const Attribute* a = find_attribute(state->attributes, name);
    return a ? list_or_empty(a->value) : StringList{};
  };
  state->tables = list_attribute(layout::kTables);
  state->arrays = list_attribute(layout::kArrays);
  return ResultReader(std::move(state));
}

ResultReader::ResultReader(std::unique_ptr<State> state) : state_(std::move(state)) {}
ResultReader::ResultReader(ResultReader&&) noexcept = default;
ResultReader& ResultReader::operator=(ResultReader&&) noexcept = default;
ResultReader::~ResultReader() = default;

const std::filesystem::path& ResultReader::path() const { return state_->path; }
bool ResultReader::opened_as_unclosed() const { return state_->unclosed; }
const AttributeList& ResultReader::attributes() const { return state_->attributes; }

const AttributeValue* ResultReader::attribute(std::string_view name) const {
  const Attribute* a = find_attribute(state_->attributes, name);
  return a ? &a->value : nullptr;
}

std::optional<std::string> ResultReader::string_attribute(std::string_view name) const {
  const AttributeValue* value = attribute(name);
  if (const auto* s = value ? std::get_if<std::string>(value) : nullptr) return *s;
  return std::nullopt;
}

std::string ResultReader::status() const {
  return complete() ? std::string(layout::kStatusComplete) : std::string(layout::kStatusIncomplete);
}

bool ResultReader::complete() const { return string_attribute(layout::kStatus) == layout::kStatusComplete; }

StringList ResultReader::final_attribute_names() const {
  const AttributeValue* value = attribute(layout::kFinalAttributes);
  if (!value) return {};
  if (const auto* list = std::get_if<StringList>(value)) return *list;
  if (const auto* s = std::get_if<std::string>(value)) return {*s};
  return {};
}

const StringList& ResultReader::table_names() const { return state_->tables; }
const StringList& ResultReader::array_names() const { return state_->arrays; }

bool ResultReader::has_table(std::string_view name) const {
  return std::find(state_->tables.begin(), state_->tables.end(), name) != state_->tables.end();
}

TableData ResultReader::table(std::string_view name) const {
  state_->require_table(name);
  const std::string table_name(name);
  GroupHandle group{hdf5_check(H5Gopen2(state_->file.get(), table_name.c_str(), H5P_DEFAULT), "open group", table_name)};
  TableData table;
  table.name = table_name;
  table.description = string_or(read_attribute(group.get(), layout::kDescription));
  const StringList columns = list_or_empty(read_attribute(group.get(), layout::kColumns));
  std::size_t most = 0;
  table.rows = SIZE_MAX;
  for (const auto& column : columns) {
    table.columns.push_back(read_dataset(group.get(), column, table_name + "/" + column));
    table.rows = std::min(table.rows, table.columns.back().rows);
    most = std::max(most, table.columns.back().rows);
  }
  if (table.columns.empty()) table.rows = 0;
  table.dropped_rows = most - table.rows;
  for (auto& column : table.columns) keep_rows(column, table.rows);
  return table;
}

ArrayData ResultReader::array(std::string_view name) const {
  state_->require_array(name);
  const std::string array_name(name);
  ArrayData data = read_dataset(state_->file.get(), array_name, array_name);
  data.name = array_name;
  return data;
}

ArrayData ResultReader::array_rows(std::string_view name, std::size_t first, std::size_t count) const {
  state_->require_array(name);
  const std::string array_name(name);
  ArrayData data = read_dataset(state_->file.get(), array_name, array_name, first, count);
  data.name = array_name;
  return data;
}

ArrayShape ResultReader::array_shape(std::string_view name) const {
  state_->require_array(name);
  const std::string array_name(name);
  DatasetHandle dataset{hdf5_check(H5Dopen2(state_->file.get(), array_name.c_str(), H5P_DEFAULT), "open dataset",
                                   array_name)};
  return shape_of(dataset.get(), array_name);
}

}  // namespace fedload::io
