#pragma once
// Reading a result file, finished or not. open() tries an ordinary read-only open first; a file
// whose writer was killed (or is still running) is marked "open for writing" and opens only in
// SWMR-read mode, so the reader falls back to that. Tables come back trimmed to the rows every
// column holds (a kill between two columns' flushes can leave one column a row longer).
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fedload/io/attribute.hpp"
#include "fedload/io/result_schema.hpp"

namespace fedload::io {

// the values of one column or array: rows x max(width, 1), row-major. Real columns (float32
// widened) fill `reals`, int64 columns fill `integers`.
struct ColumnData {
  std::string name;
  ElementType type = ElementType::kFloat64;
  std::size_t rows = 0;
  std::size_t width = 0;  // 0: one value per row
  std::string unit;
  std::string description;
  std::vector<std::string> labels;  // category columns: code i means labels[i]
  std::vector<double> reals;
  std::vector<std::int64_t> integers;

  bool is_integer() const { return type == ElementType::kInt64; }
  bool is_category() const { return !labels.empty(); }
  std::size_t values_per_row() const { return width > 0 ? width : 1; }
  // value j of row `row`, as a double whatever the type.
  double value(std::size_t row, std::size_t j = 0) const;
  // the label of a category column's row ("?<code>" for a code outside the labels).
  std::string label(std::size_t row) const;
};

using ArrayData = ColumnData;  // an array reads like a column: rows x width

struct TableData {
  std::string name;
  std::string description;
  std::size_t rows = 0;             // rows present in every column
  std::size_t dropped_rows = 0;     // rows some but not all columns held (an interrupted append)
  std::vector<ColumnData> columns;  // declared order

  const ColumnData* column(std::string_view name) const;
};

struct ArrayShape {
  std::size_t rows = 0;
  std::size_t width = 0;  // 0: 1-D
  ElementType type = ElementType::kFloat64;
};

class ResultReader {
 public:
  // throws InputError when the path does not exist, is not an HDF5 file, or is an HDF5 file
  // without fedload's file_format attribute; fedload::Error when HDF5 cannot open it otherwise.
  static ResultReader open(const std::filesystem::path& path);

  ResultReader(ResultReader&&) noexcept;
  ResultReader& operator=(ResultReader&&) noexcept;
  ~ResultReader();

  const std::filesystem::path& path() const;
  // true when the ordinary open failed because the writer never closed the file (killed, or
  // still running) and the file was opened in SWMR-read mode instead.
  bool opened_as_unclosed() const;

  const AttributeList& attributes() const;  // root attributes, creation order
  const AttributeValue* attribute(std::string_view name) const;
  // a string attribute's text, or nothing when it is absent or not a string.
  std::optional<std::string> string_attribute(std::string_view name) const;
  std::string status() const;  // "complete" or "incomplete" (also when the attribute is missing)
  bool complete() const;
  // names the caller passed to finish() (empty for an unfinished run).
  StringList final_attribute_names() const;

  const StringList& table_names() const;
  const StringList& array_names() const;
  bool has_table(std::string_view name) const;

  // reads a whole table or array; throws fedload::Error for an unknown name.
  TableData table(std::string_view name) const;
  ArrayData array(std::string_view name) const;
  // Rows [first, first + count) of an array (of both dimensions of a 2-D one); a fedload::Error
  // for rows it does not have.
  ArrayData array_rows(std::string_view name, std::size_t first, std::size_t count) const;
  ArrayShape array_shape(std::string_view name) const;

 private:
  struct State;
  explicit ResultReader(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace fedload::io
