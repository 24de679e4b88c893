#pragma once
// Copies rows of a table read from one result file into another file's table of the same
// layout (a resumed run carries the history of the run it continues). Values keep their exact
// bits: int64 columns as integers, float64 as doubles, float32 through double and back.
#include <cstddef>
#include <functional>
#include <string_view>

#include "fedload/io/result_reader.hpp"
#include "fedload/io/result_writer.hpp"

namespace fedload::io {

// Appends every row of `from` for which keep(row) is true to table `to_table` of `to` with one
// flush; returns the rows copied. The target's columns must match `from`'s in order and type.
std::size_t copy_table_rows(const TableData& from, ResultWriter& to, std::string_view to_table,
                            const std::function<bool(std::size_t row)>& keep);

}  // namespace fedload::io
