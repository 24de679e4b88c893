#pragma once
// The `clients` table: one row per client — its data, where it comes from in the source, the
// cleaning counts and the rank that hosts it. Rows are built where the client's data is (the
// hosting rank) and travel to rank 0 as bytes.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "fedload/data/dataset.hpp"
#include "fedload/io/result_schema.hpp"
#include "fedload/io/result_writer.hpp"

namespace fedload::app {

struct ClientRow {
  std::int64_t client = 0, rank = 0;
  std::int64_t column = 0;  // index into the data's column list
  std::int64_t slices = 0, begin = 0, end = 0;
  std::int64_t train_windows = 0, val_windows = 0, test_days = 0;
  std::int64_t missing_imputed = 0, outliers_replaced = 0;
  double norm_min = 0, norm_max = 0;
  std::int64_t defective = 0;       // 1: a defective client ([defects]: attacked data or update)
  std::int64_t attacked_steps = 0;  // training steps a data-integrity attack changed
  double attack_mean_abs_change = 0;
};

void declare_client_table(io::ResultSchema& schema, const std::vector<std::string>& columns);
ClientRow client_row(const data::ClientDataset& c, int rank);
// rows sorted by client id
void append_client_rows(io::ResultWriter& w, const std::vector<std::string>& columns, std::vector<ClientRow> rows);

}  // namespace fedload::app
