#include "fedload/app/client_table.hpp"

#include <algorithm>
#include <limits>

namespace fedload::app {

void declare_client_table(io::ResultSchema& schema, const std::vector<std::string>& columns) {
  schema.table("clients", "one row per client: its data, the mapping to series and ranks, cleaning counts")
      .int64("client")
      .int64("rank", "", "MPI rank that hosts the client (federated; 0 otherwise)")
      .category("column", columns, "load column the client's (first) slice comes from")
      .int64("slices", "", "series slices the client owns (partition = spread: several)")
      .int64("begin", "s", "unix time of the client's first step")
      .int64("end", "s", "unix time of the client's last step")
      .int64("train_windows")
      .int64("val_windows")
      .int64("test_days", "", "test days forecast from midnight")
      .int64("missing_imputed")
      .int64("outliers_replaced")
      .float64("norm_min", "", "min-max normalizer fitted on the training span")
      .float64("norm_max")
      .int64("defective", "", "1: a defective client ([defects]: its training data attacked or its updates altered)")
      .int64("attacked_steps", "", "training steps a data-integrity attack changed (defects.kind scaling, ramp, random)")
      .float64("attack_mean_abs_change", "", "mean |attacked - true| load over those steps, original units (NaN: none)");
}

ClientRow client_row(const data::ClientDataset& c, int rank) {
  const auto& s = c.slices.front();
  return {static_cast<std::int64_t>(c.client),
          rank,
          static_cast<std::int64_t>(s.column_index),
          static_cast<std::int64_t>(c.slices.size()),
          s.begin,
          c.slices.back().end,
          static_cast<std::int64_t>(c.train.size()),
          static_cast<std::int64_t>(c.val.size()),
          static_cast<std::int64_t>(c.test_midnight.size()),
          static_cast<std::int64_t>(c.cleaning.missing_imputed),
          static_cast<std::int64_t>(c.cleaning.outliers_replaced),
          c.normalizer.min,
          c.normalizer.max,
          c.attacked ? 1 : 0,
          static_cast<std::int64_t>(c.attack.attacked_steps),
          c.attack.attacked_steps > 0 ? c.attack.mean_abs_change() : std::numeric_limits<double>::quiet_NaN()};
}

void append_client_rows(io::ResultWriter& w, const std::vector<std::string>& columns, std::vector<ClientRow> rows) {
  std::sort(rows.begin(), rows.end(), [](const ClientRow& a, const ClientRow& b) { return a.client < b.client; });
  std::vector<io::Row> out;
  for (const auto& r : rows)
    out.push_back({r.client, r.rank, std::string_view(columns.at(static_cast<std::size_t>(r.column))), r.slices,
                   r.begin, r.end, r.train_windows, r.val_windows, r.test_days, r.missing_imputed,
                   r.outliers_replaced, r.norm_min, r.norm_max, r.defective, r.attacked_steps,
                   r.attack_mean_abs_change});
  w.append_rows("clients", out);
}

}  // namespace fedload::app
