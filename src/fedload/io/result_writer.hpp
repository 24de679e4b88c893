#pragma once
// The crash-safe result file of one run.
//
// create() makes every group, dataset and attribute the schema declares, marks the file
// status = "incomplete", and switches HDF5 to SWMR-write mode; from then on every append is
// flushed (H5Dflush) so a run killed at any moment leaves a file that opens for reading (the
// reader falls back to SWMR reading for such files) and holds every row appended before the kill.
// finish() closes the file, reopens it normally and sets status = "complete", the end time and
// the caller's final attributes (which may be new ones). Destroying a writer without finish()
// closes the file cleanly but leaves it "incomplete": the run did not end well.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string_view>
#include <variant>
#include <vector>

#include "fedload/io/attribute.hpp"
#include "fedload/io/result_schema.hpp"

namespace fedload::io {

// One value of a row, in the column's declared order:
// - a number for a scalar column (an integer fits a float column; a real never fits an int64 one),
// - a span of `width` numbers for a vector column (float and double convert to the column's
//   real type; int64 vectors only to int64 columns),
// - a code or one of the labels for a category column.
using Cell = std::variant<std::int64_t, double, std::string_view, std::span<const float>,
                          std::span<const double>, std::span<const std::int64_t>>;
using Row = std::vector<Cell>;

struct CreateOptions {
  bool overwrite = false;  // replace an existing file instead of refusing
};

class ResultWriter {
 public:
  // throws InputError when `path` exists and !options.overwrite (naming the path), fedload::Error
  // for an invalid schema, a reserved or duplicate attribute name, or an HDF5 failure.
  // Adds `start_time` (UTC, ISO 8601) unless `attributes` has one.
  static ResultWriter create(const std::filesystem::path& path, const ResultSchema& schema,
                             const AttributeList& attributes, CreateOptions options = {});

  ResultWriter(ResultWriter&&) noexcept;
  ResultWriter& operator=(ResultWriter&&) noexcept;
  ~ResultWriter();

  // appends one row to every column of `table` and flushes them.
  void append_row(std::string_view table, const Row& row);
  // appends several rows with a single flush (e.g. one round's rank x phase timings).
  void append_rows(std::string_view table, std::span<const Row> rows);

  // appends values to a declared array; for a 2-D array, a whole number of rows (size % width == 0).
  void append_array(std::string_view array, std::span<const float> values);
  void append_array(std::string_view array, std::span<const double> values);
  void append_array(std::string_view array, std::span<const std::int64_t> values);

  // rows appended so far to a table.
  std::uint64_t rows(std::string_view table) const;

  // marks the run complete: status = "complete", `end_time` (unless given), and `final_attributes`
  // (new names or replacing earlier ones; their names are listed in `final_attribute_names`).
  // The writer accepts no appends afterwards.
  void finish(const AttributeList& final_attributes = {});

  bool finished() const;
  const std::filesystem::path& path() const;

 private:
  struct State;
  explicit ResultWriter(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// the current time as UTC ISO 8601 with seconds ("2026-11-22T10:04:05Z").
std::string utc_timestamp_now();

}  // namespace fedload::io
