#pragma once
// The data pipeline's one entry point: options in, per-client windows out.
//   source (CSV file or synthetic generator) -> regular grid -> partition into clients ->
//   per client slice: cleaning -> split by time -> normalizer fitted on the training spans ->
//   DearFSAC features -> train / validation / test windows, plus day-ahead-from-midnight test
//   windows for evaluation.
// Nothing here knows about models or federation; every client's data depends only on the
// options and the seed, never on which rank builds it.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "fedload/data/cleaning.hpp"
#include "fedload/data/features.hpp"
#include "fedload/data/integrity_attack.hpp"
#include "fedload/data/load_table.hpp"
#include "fedload/data/partition.hpp"
#include "fedload/data/split.hpp"
#include "fedload/data/windows.hpp"

namespace fedload::data {

enum class DataSource { kSynthetic, kCsv };
// "synthetic" | "csv"; InputError otherwise
DataSource parse_data_source(const std::string& name);
std::string to_string(DataSource source);

struct DataOptions {
  DataSource source = DataSource::kSynthetic;
  // csv source
  std::string path;                  // CSV file; required for csv
  std::string timestamp_column;      // "" = first column
  std::vector<std::string> columns;  // "" = every column but the timestamp
  // synthetic source
  std::size_t days = 365;            // >= 1
  int resolution_minutes = 60;       // 15 | 30 | 60
  std::string start_date = "2023-01-01";
  std::size_t series = 0;            // synthetic columns; 0 = clients (1 with partition shard)
  // clients
  std::size_t clients = 0;           // 0 = natural count (see partition.hpp); synthetic: 0 = 4
  PartitionMode partition = PartitionMode::kColumn;
  // windows; 0 = one day of steps (steps per day of the data)
  std::size_t lookback = 0;
  std::size_t horizon = 0;
  std::size_t stride = 1;
  // split
  SplitOptions split;
  // cleaning
  CleaningOptions cleaning;
  std::string holidays_file;  // "" = built-in fixed-date rules
  // > 0: append the hybrid model's channels to every step (hybrid_features.hpp), with this many
  // K-means centroids of each client's training weeks; 0 = the DearFSAC features only
  std::size_t hybrid_clusters = 0;
  // the clients to build (one rank's share): strictly increasing ids; empty = all. The mapping
  // and the table-level fields are those of the whole run; cleaning, normalizer, features and
  // windows are made for these clients only, and synthetic data generates only the series they
  // read (same values as when all are generated). InputError for an id out of range or order.
  std::vector<std::size_t> only_clients;
  // The same, when the share depends on the run's client count, which is known only once the
  // source is read (a CSV) or its grid is (synthetic): called once with that count, inside the
  // one build, and returns the clients to build, with only_clients' rules; here EMPTY means
  // none (a rank that hosts no client gets the table-level fields only). Takes precedence over
  // only_clients.
  std::function<std::vector<std::size_t>(std::size_t clients)> choose_clients;
  // robustness experiments: the data-integrity attack on the training span of the clients that
  // attacked_clients(run's client count) returns (strictly increasing ids); their validation and
  // test spans stay true (integrity_attack.hpp). Unset or empty: nobody is attacked.
  IntegrityAttack attack;
  std::function<std::vector<std::size_t>(std::size_t clients)> attacked_clients;
};

// where one slice of one column sits, after the split
struct SliceInfo {
  std::string column;
  std::size_t column_index = 0;
  Timestamp begin = 0;       // first step
  Timestamp end = 0;         // last step (inclusive)
  Timestamp val_begin = 0;   // first validation step (== test_begin when val_days = 0)
  Timestamp test_begin = 0;  // first test step
  std::size_t steps = 0, train_steps = 0, val_steps = 0, test_steps = 0;
};

struct ClientDataset {
  std::size_t client = 0;
  std::vector<SliceInfo> slices;  // one, except with partition spread
  WindowSet train, val, test;     // stride windows (val empty when val_days = 0)
  WindowSet test_midnight;        // one window per test-span midnight, horizon H
  Normalizer normalizer;          // fitted on this client's training spans (original units)
  std::vector<std::vector<double>> load;  // cleaned load of each slice, original units
                                          // (load[i][0] is at slices[i].begin)
  CleaningReport cleaning;        // summed over slices
  bool attacked = false;          // its training windows come from attacked load (DataOptions::attack)
  AttackReport attack;            // summed over slices
  // DataOptions::hybrid_clusters > 0: the K-means centroids of the client's training weeks
  // (normalized load, 7 days of steps each) its similarity channels compare against
  std::vector<std::vector<double>> week_centroids;
};

struct ClientDatasets {
  std::string source;  // file path or "synthetic"
  std::vector<std::string> columns;
  Timestamp start = 0, end = 0;  // first and last step of the table
  std::int64_t resolution_seconds = 0;
  std::size_t steps_per_day = 0;
  std::size_t lookback = 0, horizon = 0, stride = 0;
  std::size_t hybrid_clusters = 0;  // DataOptions::hybrid_clusters: windows have F = 5 + 3 + K + 4
  GridRepairs repairs;           // what regularizing the file changed (gaps, missing cells)
  std::string holidays;          // calendar description
  PartitionMode partition = PartitionMode::kColumn;
  std::vector<ClientAssignment> assignment;  // client -> column slices (the mapping), every client
  std::vector<ClientDataset> clients;        // the built clients (all, or only_clients), by id

  // training windows of each built client, in the order of `clients` (the size that weights
  // aggregation); with only_clients, a rank's part of the run's sizes
  std::vector<std::size_t> client_sizes() const;
  std::size_t client_count() const { return assignment.size(); }  // clients of the run
  bool built(std::size_t client) const;
  // the built client with that id; a fedload::Error (runtime) when it was not built here
  const ClientDataset& client(std::size_t id) const;
};

// The client's cleaned load at time t (original units), or nullopt when t is in none of its
// slices or off the grid.
std::optional<double> load_at(const ClientDataset& client, Timestamp t, std::int64_t resolution_seconds);

// Seasonal-naive forecasts for every window of `windows` (a window set of `client`): step h of
// the window with origin o is the load at o + h*res - period_steps*res*ceil((h+1)/period_steps),
// i.e. the same time one season earlier. Returns [N][H] in original units; NaN where that
// history is not in the client's series.
std::vector<float> seasonal_naive_forecast(const ClientDataset& client, const WindowSet& windows,
                                           std::int64_t resolution_seconds, std::size_t period_steps);

// InputError for any bad option or input; see the option table in the report / README.
ClientDatasets build_client_datasets(const DataOptions& options, std::uint64_t seed);

// The load table a DataOptions names (CSV read and regularized, or synthetic), before cleaning.
LoadTable load_source(const DataOptions& options, std::uint64_t seed);

}  // namespace fedload::data
