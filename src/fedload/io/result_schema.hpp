#pragma once
// What a result file will hold, declared before it is created. HDF5's SWMR mode (the mode that
// keeps a killed run's file readable) cannot create groups, datasets or attributes once writing
// has started, so every table, column and array a run may fill is named here up front.
//
// A table is an HDF5 group with one extendible dataset per column; all columns of a table grow
// together, one row per append. A column holds one number per row or a fixed-width vector per
// row (a [rows][width] dataset, e.g. one value per client). Text per row (a phase name) is a
// category column: int64 codes plus a `labels` attribute listing the names.
// An array is a 1-D ([n]) or 2-D ([n][width]) extendible dataset filled near the end of a run
// (final model parameters, forecast actuals and predictions), in one or several pieces.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace fedload::io {

enum class ElementType { kFloat32, kFloat64, kInt64 };

// "float32", "float64", "int64".
std::string_view element_type_name(ElementType type);

struct ColumnSpec {
  std::string name{};
  ElementType type = ElementType::kFloat64;
  std::size_t width = 0;            // 0: one value per row; n > 0: a vector of n values per row
  std::string unit{};               // e.g. "s", "bytes", "%"; empty when dimensionless
  std::string description{};
  std::vector<std::string> labels{};  // non-empty: a category column, code i means labels[i]
  std::size_t chunk_rows = 0;       // rows per HDF5 chunk; 0 chooses from the row size

  bool is_category() const { return !labels.empty(); }
};

struct TableSpec {
  std::string name;  // group path in the file, e.g. "rounds" or "provenance/chain"
  std::string description;
  std::vector<ColumnSpec> columns;

  TableSpec& column(ColumnSpec spec);
  TableSpec& float64(std::string name, std::string unit = {}, std::string description = {});
  TableSpec& int64(std::string name, std::string unit = {}, std::string description = {});
  TableSpec& vector(std::string name, ElementType type, std::size_t width, std::string unit = {},
                    std::string description = {});
  TableSpec& category(std::string name, std::vector<std::string> labels, std::string description = {});
};

struct ArraySpec {
  std::string name{};  // dataset path in the file, e.g. "model/final"
  ElementType type = ElementType::kFloat64;
  std::size_t width = 0;  // 0: 1-D [n]; w > 0: 2-D [n][w], appended in whole rows
  std::string unit{};
  std::string description{};
  std::size_t chunk_rows = 0;  // 0 chooses from the row size
};

class ResultSchema {
 public:
  // declares a table and returns it for adding columns.
  TableSpec& table(std::string name, std::string description = {});
  ResultSchema& array(ArraySpec spec);

  const std::vector<TableSpec>& tables() const { return tables_; }
  const std::vector<ArraySpec>& arrays() const { return arrays_; }
  const TableSpec* find_table(std::string_view name) const;
  const ArraySpec* find_array(std::string_view name) const;

  // throws fedload::Error naming the first problem: empty or duplicate names, a table without
  // columns, a vector column of width 0, an int code column that is not int64, a path used both
  // as a table and an array or nested inside one.
  void validate() const;

 private:
  std::vector<TableSpec> tables_;
  std::vector<ArraySpec> arrays_;
};

}  // namespace fedload::io
