#include "fedload/io/result_writer.hpp"

#include <algorithm>
#include <ctime>
#include <set>
#include <string>

#include "fedload/core/error.hpp"
#include "fedload/io/hdf5_attribute.hpp"
#include "fedload/io/hdf5_error.hpp"
#include "fedload/io/hdf5_handle.hpp"
#include "fedload/io/result_layout.hpp"

namespace fedload::io {

namespace {

struct ColumnSlot {
  ColumnSpec spec;
  std::string path;  // "table/column", for messages
  DatasetHandle dataset;
};

struct TableSlot {
  std::string name;
  std::vector<ColumnSlot> columns;
  std::uint64_t rows = 0;
};

struct ArraySlot {
  ArraySpec spec;
  DatasetHandle dataset;
  std::uint64_t rows = 0;
};

// values of one column for one append, already converted to the column's element type.
using StagedValues = std::variant<std::vector<float>, std::vector<double>, std::vector<std::int64_t>>;

hid_t file_type(ElementType type) {
  switch (type) {
    case ElementType::kFloat32: return H5T_IEEE_F32LE;
    case ElementType::kFloat64: return H5T_IEEE_F64LE;
    case ElementType::kInt64: return H5T_STD_I64LE;
  }
  return H5T_IEEE_F64LE;
}

std::size_t element_size(ElementType type) { return type == ElementType::kFloat32 ? 4 : 8; }

// rows per chunk: about `target_bytes` per chunk, at least one row, at most `max_rows`. Tables
// grow a row at a time and are flushed after each, so their chunks are small; arrays are written
// in larger pieces and get 64 KiB chunks. A chunk takes its full size on disk however little of it
// is written, so larger array chunks made most of a small run's file padding (1 MiB chunks: 13 MB
// for the quickstart, whose arrays hold ~0.2 MB).
hsize_t chunk_rows(std::size_t requested, ElementType type, std::size_t width, std::size_t target_bytes,
                   std::size_t max_rows) {
  if (requested > 0) return requested;
  const std::size_t row_bytes = element_size(type) * std::max<std::size_t>(width, 1);
  return std::clamp<std::size_t>(target_bytes / row_bytes, 1, max_rows);
}

PropertyListHandle creation_order_plist(hid_t plist_class, std::string_view object) {
  PropertyListHandle plist{hdf5_check(H5Pcreate(plist_class), "create property list", object)};
  hdf5_check_status(H5Pset_attr_creation_order(plist.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
                    "track attribute order", object);
  return plist;
}

DatasetHandle create_extendible_dataset(hid_t parent, const std::string& name, const std::string& path,
                                        ElementType type, std::size_t width, hsize_t chunk, hid_t lcpl) {
  const int rank = width > 0 ? 2 : 1;
  const hsize_t dims[2] = {0, width};
  const hsize_t max_dims[2] = {H5S_UNLIMITED, width};
  const hsize_t chunk_dims[2] = {chunk, width};
  DataspaceHandle space{hdf5_check(H5Screate_simple(rank, dims, max_dims), "create dataspace", path)};
  PropertyListHandle dcpl = creation_order_plist(H5P_DATASET_CREATE, path);
  hdf5_check_status(H5Pset_chunk(dcpl.get(), rank, chunk_dims), "set chunk size", path);
  return DatasetHandle{hdf5_check(H5Dcreate2(parent, name.c_str(), file_type(type), space.get(), lcpl,
                                             dcpl.get(), H5P_DEFAULT),
                                  "create dataset", path)};
}

void describe(hid_t object, ElementType type, const std::string& unit, const std::string& description) {
  write_attribute(object, {std::string(layout::kElementType), std::string(element_type_name(type))});
  write_attribute(object, {std::string(layout::kUnit), unit});
  write_attribute(object, {std::string(layout::kDescription), description});
}

// appends `staged` (rows x max(width, 1) values) at row `first_row` of `dataset`.
void append_values(hid_t dataset, const std::string& path, std::uint64_t first_row, std::size_t width,
                   const StagedValues& staged) {
  const std::size_t count = std::visit([](const auto& v) { return v.size(); }, staged);
  const std::size_t per_row = std::max<std::size_t>(width, 1);
  const hsize_t rows = count / per_row;
  if (rows == 0) return;
  const int rank = width > 0 ? 2 : 1;
  const hsize_t new_dims[2] = {first_row + rows, width};
  hdf5_check_status(H5Dset_extent(dataset, new_dims), "extend dataset", path);
  DataspaceHandle file_space{hdf5_check(H5Dget_space(dataset), "get dataspace", path)};
  const hsize_t start[2] = {first_row, 0};
  const hsize_t block[2] = {rows, width};
  hdf5_check_status(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start, nullptr, block, nullptr),
                    "select rows", path);
  DataspaceHandle memory_space{hdf5_check(H5Screate_simple(rank, block, nullptr), "create dataspace", path)};
  std::visit(
      [&](const auto& values) {
        using T = typename std::decay_t<decltype(values)>::value_type;
        const hid_t memory_type = std::is_same_v<T, float>    ? H5T_NATIVE_FLOAT
                                  : std::is_same_v<T, double> ? H5T_NATIVE_DOUBLE
                                                              : H5T_NATIVE_INT64;
        hdf5_check_status(H5Dwrite(dataset, memory_type, memory_space.get(), file_space.get(), H5P_DEFAULT,
                                   values.data()),
                          "write rows", path);
      },
      staged);
}

template <typename To, typename From>
std::vector<To> convert(std::span<const From> values) {
  return std::vector<To>(values.begin(), values.end());
}

// converts a span of numbers to the element type `type`; integers never come from reals.
template <typename From>
StagedValues stage_numbers(std::span<const From> values, ElementType type, const std::string& where) {
  switch (type) {
    case ElementType::kFloat32: return convert<float>(values);
    case ElementType::kFloat64: return convert<double>(values);
    case ElementType::kInt64:
      if constexpr (std::is_same_v<From, std::int64_t>) return convert<std::int64_t>(values);
      throw_runtime_error("{}: the column holds int64, got real numbers", where);
  }
  throw_runtime_error("{}: unknown element type", where);
}

StagedValues stage_cell(const Cell& cell, const ColumnSpec& column, const std::string& where) {
  if (column.width > 0) {
    auto from_span = [&](const auto& values) -> StagedValues {
      using V = std::decay_t<decltype(values)>;
      if constexpr (std::is_same_v<V, std::int64_t> || std::is_same_v<V, double> ||
                    std::is_same_v<V, std::string_view>) {
        throw_runtime_error("{}: a vector column of width {} needs a span of values", where, column.width);
      } else {
        if (values.size() != column.width)
          throw_runtime_error("{}: got {} values for a vector column of width {}", where, values.size(),
                              column.width);
        return stage_numbers(values, column.type, where);
      }
    };
    return std::visit(from_span, cell);
  }
  if (column.is_category()) {
    if (const auto* code = std::get_if<std::int64_t>(&cell)) {
      if (*code < 0 || static_cast<std::size_t>(*code) >= column.labels.size())
        throw_runtime_error("{}: code {} is not one of the {} labels", where, *code, column.labels.size());
      return std::vector<std::int64_t>{*code};
    }
    if (const auto* label = std::get_if<std::string_view>(&cell)) {
      const auto it = std::find(column.labels.begin(), column.labels.end(), *label);
      if (it == column.labels.end())
        throw_runtime_error("{}: '{}' is not one of its labels ({})", where, *label, fmt::join(column.labels, ", "));
      return std::vector<std::int64_t>{it - column.labels.begin()};
    }
    throw_runtime_error("{}: a category column needs a label or a code", where);
  }
  if (const auto* integer = std::get_if<std::int64_t>(&cell))
    return stage_numbers(std::span<const std::int64_t>(integer, 1), column.type, where);
  if (const auto* real = std::get_if<double>(&cell))
    return stage_numbers(std::span<const double>(real, 1), column.type, where);
  throw_runtime_error("{}: a scalar column needs one number", where);
}

void check_attribute_names(const AttributeList& attributes, std::string_view what) {
  std::set<std::string_view> seen;
  for (const auto& a : attributes) {
    if (a.name.empty()) throw_runtime_error("{}: an attribute has an empty name", what);
    if (layout::is_reserved(a.name))
      throw_runtime_error("{}: attribute '{}' is written by the result writer itself", what, a.name);
    if (!seen.insert(a.name).second) throw_runtime_error("{}: attribute '{}' given twice", what, a.name);
  }
}

StringList names_of_tables(const ResultSchema& schema) {
  StringList names;
  for (const auto& t : schema.tables()) names.push_back(t.name);
  return names;
}

StringList names_of_arrays(const ResultSchema& schema) {
  StringList names;
  for (const auto& a : schema.arrays()) names.push_back(a.name);
  return names;
}

}  // namespace

std::string utc_timestamp_now() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

struct ResultWriter::State {
  std::filesystem::path path;
  std::string path_text;
  FileHandle file;  // declared first, so it is closed after the datasets below
  std::vector<TableSlot> tables;
  std::vector<ArraySlot> arrays;
  bool finished = false;

  TableSlot& table(std::string_view name) {
    for (auto& t : tables)
      if (t.name == name) return t;
    throw_runtime_error("result file '{}': no table '{}' was declared", path_text, name);
  }
  ArraySlot& array(std::string_view name) {
    for (auto& a : arrays)
      if (a.spec.name == name) return a;
    throw_runtime_error("result file '{}': no array '{}' was declared", path_text, name);
  }
  void check_writable() const {
    if (finished) throw_runtime_error("result file '{}' is already finished", path_text);
  }

  // H5Dflush alone keeps a killed file readable in SWMR-read mode, but the superblock's
  // end-of-allocation address stays behind, so after `h5clear -s` an ordinary open (h5dump)
  // cannot read the newest chunks. Flushing the file too keeps that address current.
  void flush_file() { hdf5_check_status(H5Fflush(file.get(), H5F_SCOPE_LOCAL), "flush file", path_text); }

  void create_objects(const ResultSchema& schema, const AttributeList& attributes);
  template <typename T>
  void append_to_array(std::string_view name, std::span<const T> values);
};

void ResultWriter::State::create_objects(const ResultSchema& schema, const AttributeList& attributes) {
  const hid_t root = file.get();
  write_attribute(root, {std::string(layout::kFileFormat), std::string(layout::kFileFormatValue)});
  write_attribute(root, {std::string(layout::kFileFormatVersion), layout::kFormatVersion});
  write_attribute(root, {std::string(layout::kStatus), std::string(layout::kStatusIncomplete)});
  write_attribute(root, {std::string(layout::kTables), names_of_tables(schema)});
  write_attribute(root, {std::string(layout::kArrays), names_of_arrays(schema)});
  for (const auto& a : attributes) write_attribute(root, a);
  if (!find_attribute(attributes, layout::kStartTime))
    write_attribute(root, {std::string(layout::kStartTime), utc_timestamp_now()});

  // "model/final" needs the group "model": let HDF5 create missing parents.
  PropertyListHandle lcpl{hdf5_check(H5Pcreate(H5P_LINK_CREATE), "create property list", path_text)};
  hdf5_check_status(H5Pset_create_intermediate_group(lcpl.get(), 1), "set intermediate groups", path_text);

  for (const auto& spec : schema.tables()) {
    PropertyListHandle gcpl = creation_order_plist(H5P_GROUP_CREATE, spec.name);
    hdf5_check_status(H5Pset_link_creation_order(gcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
                      "track link order", spec.name);
    GroupHandle group{hdf5_check(H5Gcreate2(root, spec.name.c_str(), lcpl.get(), gcpl.get(), H5P_DEFAULT),
                                 "create group", spec.name)};
    StringList column_names;
    for (const auto& c : spec.columns) column_names.push_back(c.name);
    write_attribute(group.get(), {std::string(layout::kColumns), column_names});
    write_attribute(group.get(), {std::string(layout::kDescription), spec.description});

    TableSlot slot{.name = spec.name, .columns = {}, .rows = 0};
    for (const auto& c : spec.columns) {
      const std::string column_path = spec.name + "/" + c.name;
      DatasetHandle dataset = create_extendible_dataset(
          group.get(), c.name, column_path, c.type, c.width,
          chunk_rows(c.chunk_rows, c.type, c.width, 8 * 1024, 1024), H5P_DEFAULT);
      describe(dataset.get(), c.type, c.unit, c.description);
      if (c.is_category()) write_attribute(dataset.get(), {std::string(layout::kLabels), c.labels});
      slot.columns.push_back({.spec = c, .path = column_path, .dataset = std::move(dataset)});
    }
    tables.push_back(std::move(slot));
  }
  for (const auto& spec : schema.arrays()) {
    DatasetHandle dataset = create_extendible_dataset(
        root, spec.name, spec.name, spec.type, spec.width,
        chunk_rows(spec.chunk_rows, spec.type, spec.width, 64 * 1024, std::size_t{1} << 20), lcpl.get());
    describe(dataset.get(), spec.type, spec.unit, spec.description);
    arrays.push_back({.spec = spec, .dataset = std::move(dataset), .rows = 0});
  }
  // from here on no object or attribute can be created; appends are flushed one by one.
  hdf5_check_status(H5Fstart_swmr_write(root), "start SWMR writing", path_text);
}

ResultWriter ResultWriter::create(const std::filesystem::path& path, const ResultSchema& schema,
                                  const AttributeList& attributes, CreateOptions options) {
  silence_hdf5_error_printing();
  schema.validate();
  const std::string path_text = path.string();
  check_attribute_names(attributes, fmt::format("result file '{}'", path_text));
  std::error_code ec;
  if (std::filesystem::exists(path, ec) && !options.overwrite)
    throw_input_error("result file '{}' already exists; refusing to overwrite it", path_text);

  auto state = std::make_unique<State>();
  state->path = path;
  state->path_text = path_text;
  PropertyListHandle fcpl = creation_order_plist(H5P_FILE_CREATE, path_text);
  hdf5_check_status(H5Pset_link_creation_order(fcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
                    "track link order", path_text);
  PropertyListHandle fapl{hdf5_check(H5Pcreate(H5P_FILE_ACCESS), "create property list", path_text)};
  // SWMR needs the newest on-disk structures (checksummed metadata, extensible-array chunk index).
  hdf5_check_status(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_LATEST, H5F_LIBVER_LATEST),
                    "set format version bounds", path_text);
  const unsigned flags = options.overwrite ? H5F_ACC_TRUNC : H5F_ACC_EXCL;
  state->file = FileHandle{hdf5_check(H5Fcreate(path_text.c_str(), flags, fcpl.get(), fapl.get()),
                                      "create file", path_text)};
  try {
    state->create_objects(schema, attributes);
  } catch (...) {
    // a half-made file is of no use to anyone; it is ours, we just created it.
    state.reset();
    std::filesystem::remove(path, ec);
    throw;
  }
  return ResultWriter(std::move(state));
}

ResultWriter::ResultWriter(std::unique_ptr<State> state) : state_(std::move(state)) {}
ResultWriter::ResultWriter(ResultWriter&&) noexcept = default;
ResultWriter& ResultWriter::operator=(ResultWriter&&) noexcept = default;
ResultWriter::~ResultWriter() = default;

void ResultWriter::append_row(std::string_view table, const Row& row) {
  append_rows(table, std::span<const Row>(&row, 1));
}

void ResultWriter::append_rows(std::string_view table_name, std::span<const Row> rows) {
  state_->check_writable();
  TableSlot& table = state_->table(table_name);
  if (rows.empty()) return;
  // convert every value before touching the file, so a bad value cannot leave a partial row.
  std::vector<StagedValues> staged;
  for (const Row& row : rows) {
    if (row.size() != table.columns.size())
      throw_runtime_error("result file '{}': table '{}' has {} columns, a row has {} values", state_->path_text,
                          table.name, table.columns.size(), row.size());
    for (std::size_t i = 0; i < row.size(); ++i) {
      StagedValues values = stage_cell(row[i], table.columns[i].spec, "column '" + table.columns[i].path + "'");
      if (staged.size() < table.columns.size()) {
        staged.push_back(std::move(values));
      } else {
        std::visit(
            [&](auto& into) {
              const auto& more = std::get<std::decay_t<decltype(into)>>(values);
              into.insert(into.end(), more.begin(), more.end());
            },
            staged[i]);
      }
    }
  }
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    const ColumnSlot& column = table.columns[i];
    append_values(column.dataset.get(), column.path, table.rows, column.spec.width, staged[i]);
  }
  for (const ColumnSlot& column : table.columns)
    hdf5_check_status(H5Dflush(column.dataset.get()), "flush dataset", column.path);
  state_->flush_file();
  table.rows += rows.size();
}

template <typename T>
void ResultWriter::State::append_to_array(std::string_view name, std::span<const T> values) {
  check_writable();
  ArraySlot& slot = array(name);
  const std::size_t per_row = std::max<std::size_t>(slot.spec.width, 1);
  if (values.size() % per_row != 0)
    throw_runtime_error("array '{}' has rows of {} values; got {} values", slot.spec.name, per_row, values.size());
  if (values.empty()) return;
  const StagedValues staged = stage_numbers(values, slot.spec.type, "array '" + slot.spec.name + "'");
  append_values(slot.dataset.get(), slot.spec.name, slot.rows, slot.spec.width, staged);
  hdf5_check_status(H5Dflush(slot.dataset.get()), "flush dataset", slot.spec.name);
  flush_file();
  slot.rows += values.size() / per_row;
}

void ResultWriter::append_array(std::string_view array, std::span<const float> values) {
  state_->append_to_array(array, values);
}
void ResultWriter::append_array(std::string_view array, std::span<const double> values) {
  state_->append_to_array(array, values);
}
void ResultWriter::append_array(std::string_view array, std::span<const std::int64_t> values) {
  state_->append_to_array(array, values);
}

std::uint64_t ResultWriter::rows(std::string_view table) const { return state_->table(table).rows; }

void ResultWriter::finish(const AttributeList& final_attributes) {
  state_->check_writable();
  State& s = *state_;
  check_attribute_names(final_attributes, fmt::format("result file '{}'", s.path_text));
  // SWMR writing cannot add attributes: close cleanly (which clears the "open for writing" mark)
  // and reopen in the ordinary read-write mode.
  s.tables.clear();
  s.arrays.clear();
  hdf5_check_status(s.file.close(), "close file", s.path_text);
  PropertyListHandle fapl{hdf5_check(H5Pcreate(H5P_FILE_ACCESS), "create property list", s.path_text)};
  hdf5_check_status(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_LATEST, H5F_LIBVER_LATEST),
                    "set format version bounds", s.path_text);
  FileHandle file{hdf5_check(H5Fopen(s.path_text.c_str(), H5F_ACC_RDWR, fapl.get()), "reopen file", s.path_text)};
  StringList final_names;
  for (const auto& a : final_attributes) {
    write_attribute(file.get(), a);
    final_names.push_back(a.name);
  }
  if (!find_attribute(final_attributes, layout::kEndTime))
    write_attribute(file.get(), {std::string(layout::kEndTime), utc_timestamp_now()});
  write_attribute(file.get(), {std::string(layout::kFinalAttributes), final_names});
  // the status goes last: a crash before this line leaves an honest "incomplete".
  write_attribute(file.get(), {std::string(layout::kStatus), std::string(layout::kStatusComplete)});
  hdf5_check_status(file.close(), "close file", s.path_text);
  s.finished = true;
}

bool ResultWriter::finished() const { return state_->finished; }
const std::filesystem::path& ResultWriter::path() const { return state_->path; }

}  // namespace fedload::io
