#pragma once
// `fedload data inspect FILE.csv`: what a load CSV holds and what loading and cleaning would do
// to it, as plain text (fixed-width, one fact per line, greppable). Timeline problems that
// loading refuses (duplicates, out-of-order rows, mixed resolution) are listed, not thrown,
// so one look shows all of them; the first ten of each kind name their lines. A file that
// cannot be read at all (missing, empty, header only, a non-numeric cell, a bad timestamp)
// still throws the reader's InputError.
#include <string>

#include "fedload/data/cleaning.hpp"
#include "fedload/data/csv_reader.hpp"

namespace fedload::data {

struct InspectOptions {
  CsvOptions csv;            // timestamp column and load columns, as for loading
  double k = 4.5;            // outlier threshold factor of both rules, > 0
};

std::string inspect_csv(const std::string& path, const InspectOptions& options = {});

}  // namespace fedload::data
