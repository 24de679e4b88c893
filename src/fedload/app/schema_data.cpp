// [data] keys and their mapping onto fedload::data::DataOptions.
#include "fedload/app/data_config.hpp"
#include "fedload/app/schema_sections.hpp"

#include <algorithm>

#include "fedload/fl/defects.hpp"

namespace fedload::app {

void add_data_keys(ConfigSchema& s) {
  s.choice("data.source", "synthetic", {"synthetic", "csv"},
           "where the load comes from: the built-in generator or a CSV file");
  s.string("data.path", "", "CSV file (source = \"csv\"): ISO 8601 timestamp column + numeric load columns");
  s.string("data.timestamp_column", "", "header of the timestamp column; empty = the first column");
  s.string_list("data.columns", {}, "load columns to read; empty = every column but the timestamp");
  s.integer("data.days", 365, 1, 36500, "synthetic: whole days generated");
  s.integer("data.resolution_minutes", 60, 15, 60, "synthetic: minutes per step (15, 30 or 60)");
  s.string("data.start_date", "2023-01-01", "synthetic: first day (YYYY-MM-DD)");
  s.integer("data.series", 0, 0, 1000000, "synthetic: series generated; 0 = one per client (1 with partition = \"shard\")");
  s.choice("data.partition", "column", {"column", "shard", "spread"},
           "clients from series: one column each / one column cut into whole-day shards / column c to client c mod clients");
  s.integer("data.lookback", 0, 0, 100000, "steps of history per window (L); 0 = one day of steps");
  s.integer("data.horizon", 0, 0, 100000, "steps forecast per window (H); 0 = one day of steps (day-ahead)");
  s.integer("data.stride", 1, 1, 100000, "steps between consecutive training-window origins");
  s.integer("data.test_days", 14, 1, 100000, "the last N whole days are the test span (unless split_date)");
  s.integer("data.val_days", 7, 0, 100000, "days before the test span used for validation / early stopping");
  s.string("data.split_date", "", "first test day (YYYY-MM-DD); overrides test_days when set");
  s.choice("data.cleaning", "absolute", {"none", "absolute", "seasonal_residual"},
           "outlier rule: |c| > k*mean|c| (absolute) or the same on residuals against the value one day earlier; missing values are always mean-imputed");
  s.real("data.outlier_k", 4.5, 1e-6, 1e6, "threshold factor k of the outlier rule");
  s.string("data.holidays_file", "", "CSV of holiday dates (YYYY-MM-DD, first field); empty = built-in Jan 1, May 1, Dec 25, Dec 26");
}

data::AttackKind data_attack_from_config(const Config& c) {
  const std::string kind = c.get_string("defects.kind");
  const auto names = data::attack_kind_names();
  return std::find(names.begin(), names.end(), kind) != names.end() ? data::parse_attack_kind(kind)
                                                                   : data::AttackKind::kNone;
}

data::DataOptions data_options_from_config(const Config& c) {
  data::DataOptions o;
  o.source = data::parse_data_source(c.get_string("data.source"));
  o.path = c.get_string("data.path");
  o.timestamp_column = c.get_string("data.timestamp_column");
  o.columns = c.get_list("data.columns");
  o.days = static_cast<std::size_t>(c.get_int("data.days"));
  o.resolution_minutes = static_cast<int>(c.get_int("data.resolution_minutes"));
  o.start_date = c.get_string("data.start_date");
  o.series = static_cast<std::size_t>(c.get_int("data.series"));
  o.clients = static_cast<std::size_t>(c.get_int("fl.clients"));
  o.partition = data::parse_partition_mode(c.get_string("data.partition"));
  o.lookback = static_cast<std::size_t>(c.get_int("data.lookback"));
  o.horizon = static_cast<std::size_t>(c.get_int("data.horizon"));
  o.stride = static_cast<std::size_t>(c.get_int("data.stride"));
  o.split.test_days = static_cast<std::size_t>(c.get_int("data.test_days"));
  o.split.val_days = static_cast<std::size_t>(c.get_int("data.val_days"));
  o.split.split_date = c.get_string("data.split_date");
  o.cleaning.rule = data::parse_outlier_rule(c.get_string("data.cleaning"));
  o.cleaning.k = c.get_double("data.outlier_k");
  o.holidays_file = c.get_string("data.holidays_file");
  if (c.get_string("model.kind") == "hybrid") o.hybrid_clusters = static_cast<std::size_t>(c.get_int("model.hybrid_clusters"));
  // [defects] with a data-integrity attack: the defective clients train on attacked load
  const data::AttackKind attack = data_attack_from_config(c);
  if (attack != data::AttackKind::kNone) {
    const auto seed = static_cast<std::uint64_t>(c.get_int("run.seed"));
    o.attack = {attack, c.get_double("defects.magnitude"), c.get_double("defects.coverage"), seed};
    data::check_attack(o.attack);
    o.attacked_clients = [seed, fraction = c.get_double("defects.fraction")](std::size_t clients) {
      return fl::defective_clients(seed, clients, fraction);
    };
  }
  return o;
}

}  // namespace fedload::app
