#pragma once
// Reads a load CSV as it stands in the file: one timestamp column and the chosen numeric load
// columns, row by row in file order, with each row's line number so that later checks
// (duplicates, gaps, order) can point at the line. Nothing is repaired here.
//
// Format: comma-separated, first line is the header, optional double quotes around a field,
// CRLF or LF line ends, blank lines ignored. A cell that is empty or one of NA, N/A, NaN, null,
// "-" (any case) is a missing value (kept as NaN, imputed later and reported). Any other cell
// that is not a number is an InputError naming file, line and column.
#include <cstddef>
#include <string>
#include <vector>

#include "fedload/data/time.hpp"

namespace fedload::data {

struct CsvOptions {
  // header name of the timestamp column; empty = the first column
  std::string timestamp_column;
  // load columns to read, by header name; empty = every column except the timestamp
  std::vector<std::string> columns;
};

struct RawTable {
  std::string path;
  std::string timestamp_column;
  std::vector<std::string> columns;          // load column names, in the order asked for
  std::vector<std::size_t> column_positions; // 1-based field position of each load column
  std::vector<Timestamp> times;              // per row, file order
  std::vector<std::size_t> lines;            // 1-based line number of each row
  std::vector<std::vector<double>> values;   // [column][row]; NaN = missing cell

  std::size_t rows() const { return times.size(); }
};

// Throws InputError: file missing or unreadable, empty file, header only, a header without the
// named columns, duplicate header names, a row with the wrong number of fields, a timestamp that
// is not ISO 8601, a non-numeric cell.
RawTable read_load_csv(const std::string& path, const CsvOptions& options = {});

bool is_missing_token(const std::string& cell);

}  // namespace fedload::data
