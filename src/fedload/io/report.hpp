#pragma once
// What `fedload report FILE [--json]` prints about a result file.
#include <string>

#include "fedload/io/result_reader.hpp"

namespace fedload::io {

// a readable summary: file, status (with a loud line when the run did not finish), run
// attributes, tables with their row counts, the last row of "rounds" when there is one, the
// final attributes given to finish(), and the arrays' shapes. Ends with a newline.
std::string format_report(const ResultReader& reader);

// the same file as one JSON object: {"file", "status", "complete", "unclosed", "attributes",
// "tables": {table: {column: [values]}}, "arrays": {array: {"shape", "type"}}}. Category columns
// hold their labels, vector columns lists per row, NaN and infinities null. Ends with a newline.
std::string format_report_json(const ResultReader& reader);

}  // namespace fedload::io
