#include "fedload/data/dataset.hpp"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "fedload/core/error.hpp"
#include "fedload/core/stall_watchdog.hpp"
#include "fedload/data/holidays.hpp"
#include "fedload/data/hybrid_features.hpp"
#include "fedload/data/resolution.hpp"
#include "fedload/data/synthetic.hpp"

namespace fedload::data {

namespace {
constexpr std::size_t kDefaultSyntheticClients = 4;
}

DataSource parse_data_source(const std::string& name) {
  if (name == "synthetic") return DataSource::kSynthetic;
  if (name == "csv") return DataSource::kCsv;
  throw_input_error("source = '{}': expected \"synthetic\" or \"csv\"", name);
}

std::string to_string(DataSource source) { return source == DataSource::kCsv ? "csv" : "synthetic"; }

std::vector<std::size_t> ClientDatasets::client_sizes() const {
  std::vector<std::size_t> sizes;
  for (const auto& c : clients) sizes.push_back(c.train.size());
  return sizes;
}

namespace {

// `clients` is sorted by id, so a binary search finds one
const ClientDataset* find_client(const std::vector<ClientDataset>& clients, std::size_t id) {
  const auto it = std::lower_bound(clients.begin(), clients.end(), id,
                                   [](const ClientDataset& c, std::size_t v) { return c.client < v; });
  return it != clients.end() && it->client == id ? &*it : nullptr;
}

}  // namespace

bool ClientDatasets::built(std::size_t id) const { return find_client(clients, id) != nullptr; }

const ClientDataset& ClientDatasets::client(std::size_t id) const {
  if (const ClientDataset* c = find_client(clients, id)) return *c;
  throw_runtime_error("client {} was not built here: {} of the run's {} clients were (only_clients)", id,
                      clients.size(), assignment.size());
}

namespace {

std::size_t client_option(const DataOptions& options) {
  return options.source == DataSource::kSynthetic && options.clients == 0 ? kDefaultSyntheticClients
                                                                          : options.clients;
}

// InputError unless only_clients is strictly increasing and every id is a client of the run
void check_only_clients(const std::vector<std::size_t>& only, std::size_t clients) {
  for (std::size_t i = 0; i < only.size(); ++i) {
    if (only[i] >= clients)
      throw_input_error("only_clients: client {} does not exist; the run has {} clients (ids 0..{})", only[i],
                        clients, clients - 1);
    if (i > 0 && only[i] <= only[i - 1])
      throw_input_error("only_clients must be strictly increasing; {} follows {}", only[i], only[i - 1]);
  }
}

// the columns the listed clients read, increasing
std::vector<std::size_t> columns_read(const std::vector<ClientAssignment>& assignment,
                                      const std::vector<std::size_t>& only) {
  std::vector<std::size_t> columns;
  for (const std::size_t id : only)
    for (const SeriesSlice& slice : assignment[id].slices) columns.push_back(slice.column);
  std::sort(columns.begin(), columns.end());
  columns.erase(std::unique(columns.begin(), columns.end()), columns.end());
  return columns;
}

}  // namespace

namespace {

// The clients to build once the run has `clients` of them: nullopt = all; a list (possibly empty
// with choose_clients) otherwise, checked.
std::optional<std::vector<std::size_t>> clients_to_build(const DataOptions& options, std::size_t clients) {
  std::optional<std::vector<std::size_t>> only;
  if (options.choose_clients) {
    only = options.choose_clients(clients);
  } else if (!options.only_clients.empty()) {
    only = options.only_clients;
  }
  if (only) check_only_clients(*only, clients);
  return only;
}

// A source read: the table, its grid's shape (a synthetic table of no chosen client has no column
// to measure it by), the client mapping, and the clients to build (resolved once: choose_clients
// is called here and nowhere else).
struct LoadedSource {
  LoadTable table;
  TableShape shape;
  std::vector<ClientAssignment> assignment;
  std::optional<std::vector<std::size_t>> only;
};

LoadedSource load_table(const DataOptions& options, std::uint64_t seed) {
  LoadedSource s;
  const std::size_t clients = client_option(options);
  if (options.source == DataSource::kCsv) {
    if (options.path.empty()) throw_input_error("source = \"csv\" needs a path");
    s.table = load_csv(options.path, {options.timestamp_column, options.columns});
    s.shape = s.table.shape();
    s.assignment = partition_table(s.shape, options.partition, clients);
    s.only = clients_to_build(options, s.assignment.size());
    return s;
  }
  SyntheticOptions synth;
  synth.days = options.days;
  synth.resolution_minutes = options.resolution_minutes;
  synth.start_date = options.start_date;
  synth.series = options.series != 0 ? options.series : options.partition == PartitionMode::kShard ? 1 : clients;
  // the mapping depends on the grid only, so the series the chosen clients read are known
  // before generating; series are independent streams, so their values do not change
  s.shape = synthetic_shape(synth);
  s.assignment = partition_table(s.shape, options.partition, clients);
  s.only = clients_to_build(options, s.assignment.size());
  if (s.only) synth.only_series = columns_read(s.assignment, *s.only);
  s.table = generate_synthetic(synth, seed, HolidayCalendar::from_option(options.holidays_file));
  return s;
}

}  // namespace

LoadTable load_source(const DataOptions& options, std::uint64_t seed) { return load_table(options, seed).table; }

namespace {

// one slice of one column, cleaned, split and turned into features; the normalizer is the
// client's, fitted on all its slices' training spans first
struct PreparedSlice {
  SliceInfo info;
  SplitSpans spans;  // relative to the slice
  std::vector<double> load;
  std::vector<double> attacked;  // an attacked client: load with its training span attacked
};

ClientDataset build_client(const LoadTable& table, const ClientAssignment& assignment, const DataOptions& options,
                           const WindowOptions& windows, const HolidayCalendar& holidays, bool attacked,
                           std::uint64_t seed) {
  ClientDataset client;
  client.client = assignment.client;
  client.attacked = attacked;
  client.cleaning.rule = options.cleaning.rule;
  client.cleaning.k = options.cleaning.k;
  std::vector<PreparedSlice> prepared;
  for (const SeriesSlice& slice : assignment.slices) {
    PreparedSlice p;
    const std::string what = fmt::format("client {} ({})", assignment.client, table.columns[slice.column]);
    const auto& column = table.values[slice.column];
    if (column.size() != table.steps())  // a column the source was told this client does not read
      throw_runtime_error("{}: column {} was not loaded", what, slice.column);
    p.load.assign(column.begin() + static_cast<std::ptrdiff_t>(slice.begin),
                  column.begin() + static_cast<std::ptrdiff_t>(slice.end));
    const Timestamp slice_start = table.time_at(slice.begin);
    // the split depends on times only; cleaning statistics come from the training span alone
    p.spans = split_by_time(0, p.load.size(), slice_start, table.resolution_seconds, options.split, what);
    const CleaningReport cleaning = clean_series(p.load, table.steps_per_day, options.cleaning, p.spans.val_begin);
    client.cleaning.merge(cleaning);
    if (attacked) {  // after cleaning: the corruption is in the data the client trains on
      p.attacked = p.load;
      const auto stream = (static_cast<std::uint64_t>(assignment.client) << 20) ^ prepared.size();
      client.attack.merge(
          apply_integrity_attack(p.attacked, p.spans.val_begin, table.steps_per_day, options.attack, stream));
    }
    const auto at = [&](std::size_t step) { return slice_start + static_cast<std::int64_t>(step) * table.resolution_seconds; };
    p.info = {table.columns[slice.column], slice.column, at(0), at(p.load.size() - 1), at(p.spans.val_begin),
              at(p.spans.test_begin), p.load.size(), p.spans.train_steps(), p.spans.val_steps(), p.spans.test_steps()};
    prepared.push_back(std::move(p));
  }
  std::vector<std::span<const double>> train_spans;
  for (const auto& p : prepared)
    train_spans.emplace_back(attacked ? p.attacked.data() : p.load.data(), p.spans.val_begin);
  client.normalizer = Normalizer::fit(train_spans);  // the client believes its (attacked) data

  // the hybrid model's channels: centroids of the whole weeks of the training spans (the data
  // the client trains on), one K-means per client from (seed, client)
  const std::size_t K = options.hybrid_clusters;
  const std::size_t week_steps = 7 * table.steps_per_day;
  if (K > 0) {
    std::vector<std::vector<double>> weeks;
    for (const auto& p : prepared) {
      auto w = week_profiles(attacked ? p.attacked : p.load, p.spans.val_begin, week_steps, client.normalizer);
      weeks.insert(weeks.end(), std::make_move_iterator(w.begin()), std::make_move_iterator(w.end()));
    }
    if (weeks.size() < K)
      throw_input_error("client {}: the training span holds {} whole week(s), fewer than model.hybrid_clusters = {}",
                        client.client, weeks.size(), K);
    client.week_centroids = kmeans(weeks, K, seed, assignment.client);
  }
  const std::size_t F = K > 0 ? kFeatureCount + hybrid_channel_count(K) : kFeatureCount;
  const auto features_of = [&](const std::vector<double>& load, Timestamp begin) {
    std::vector<float> f = make_features(load, begin, table.resolution_seconds, client.normalizer, holidays);
    if (K == 0) return f;
    return join_channels(f, kFeatureCount,
                         make_hybrid_features(load, begin, table.resolution_seconds, client.normalizer, holidays,
                                              client.week_centroids, week_steps),
                         hybrid_channel_count(K));
  };

  for (auto& p : prepared) {
    const std::vector<float> features = features_of(p.load, p.info.begin);
    const FeatureSeries series{features, F, p.info.begin, table.resolution_seconds};
    if (attacked) {  // training windows from the attacked load; the rest (and client.load) stay true
      const std::vector<float> bad = features_of(p.attacked, p.info.begin);
      append_windows(client.train, {bad, F, p.info.begin, table.resolution_seconds}, 0, p.spans.val_begin, windows);
    } else {
      append_windows(client.train, series, 0, p.spans.val_begin, windows);
    }
    append_windows(client.val, series, p.spans.val_begin, p.spans.test_begin, windows);
    append_windows(client.test, series, p.spans.test_begin, p.spans.end, windows);
    append_midnight_windows(client.test_midnight, series, p.spans.test_begin, p.spans.end, windows);
    client.slices.push_back(p.info);
    client.load.push_back(std::move(p.load));
  }
  if (client.train.empty())
    throw_input_error("client {}: the training span ({} steps) is too short for lookback {} + horizon {}",
                      client.client, prepared.front().spans.train_steps(), windows.lookback, windows.horizon);
  if (client.test.empty())
    throw_input_error("client {}: the test span ({} steps) is shorter than the horizon {}", client.client,
                      prepared.front().spans.test_steps(), windows.horizon);
  return client;
}

}  // namespace

ClientDatasets build_client_datasets(const DataOptions& options, std::uint64_t seed) {
  const HolidayCalendar holidays = HolidayCalendar::from_option(options.holidays_file);
  LoadedSource source = load_table(options, seed);
  const LoadTable& table = source.table;
  const TableShape& shape = source.shape;
  const auto& only = source.only;

  ClientDatasets out;
  out.source = table.source;
  out.columns = table.columns;
  out.start = table.start;
  out.end = table.time_at(shape.steps - 1);
  out.resolution_seconds = table.resolution_seconds;
  out.steps_per_day = table.steps_per_day;
  out.repairs = table.repairs;
  out.holidays = holidays.describe();
  out.partition = options.partition;
  out.assignment = std::move(source.assignment);

  WindowOptions windows;
  windows.lookback = options.lookback == 0 ? table.steps_per_day : options.lookback;
  windows.horizon = options.horizon == 0 ? table.steps_per_day : options.horizon;
  windows.stride = options.stride;
  if (windows.stride < 1) throw_input_error("stride must be >= 1, got {}", windows.stride);
  out.lookback = windows.lookback;
  out.horizon = windows.horizon;
  out.stride = windows.stride;
  out.hybrid_clusters = options.hybrid_clusters;

  std::vector<char> attacked(out.assignment.size(), 0);
  if (options.attack.active() && options.attacked_clients) {
    check_attack(options.attack);
    std::size_t previous = 0;
    bool first = true;
    for (const std::size_t id : options.attacked_clients(out.assignment.size())) {
      if (id >= attacked.size() || (!first && id <= previous))
        throw_runtime_error("attacked clients: id {} out of range or order ({} clients)", id, attacked.size());
      attacked[id] = 1;
      previous = id;
      first = false;
    }
  }
  const auto build = [&](const ClientAssignment& assignment) {
    out.clients.push_back(
        build_client(table, assignment, options, windows, holidays, attacked[assignment.client], seed));
    note_heartbeat();  // StallWatchdog: set-up goes on
  };
  if (!only) {
    for (const ClientAssignment& assignment : out.assignment) build(assignment);
  } else {
    for (const std::size_t id : *only) build(out.assignment[id]);
  }
  return out;
}

std::optional<double> load_at(const ClientDataset& client, Timestamp t, std::int64_t resolution_seconds) {
  for (std::size_t i = 0; i < client.slices.size(); ++i) {
    const SliceInfo& s = client.slices[i];
    if (t < s.begin || t > s.end || (t - s.begin) % resolution_seconds != 0) continue;
    return client.load[i][static_cast<std::size_t>((t - s.begin) / resolution_seconds)];
  }
  return std::nullopt;
}

std::vector<float> seasonal_naive_forecast(const ClientDataset& client, const WindowSet& windows,
                                           std::int64_t resolution_seconds, std::size_t period_steps) {
  const std::size_t H = windows.horizon;
  std::vector<float> out(windows.size() * H, std::numeric_limits<float>::quiet_NaN());
  const auto period = static_cast<std::int64_t>(period_steps);
  for (std::size_t w = 0; w < windows.size(); ++w) {
    for (std::size_t h = 0; h < H; ++h) {
      const auto hh = static_cast<std::int64_t>(h);
      const std::int64_t back = period * ((hh + period) / period);  // period * ceil((h+1)/period)
      const auto v = load_at(client, windows.origin[w] + (hh - back) * resolution_seconds, resolution_seconds);
      if (v) out[w * H + h] = static_cast<float>(*v);
    }
  }
  return out;
}

}  // namespace fedload::data

