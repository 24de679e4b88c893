#include "fedload/data/partition.hpp"

#include "fedload/core/error.hpp"

namespace fedload::data {

PartitionMode parse_partition_mode(const std::string& name) {
  if (name == "column") return PartitionMode::kColumn;
  if (name == "shard") return PartitionMode::kShard;
  if (name == "spread") return PartitionMode::kSpread;
  throw_input_error("partition = '{}': expected \"column\", \"shard\" or \"spread\"", name);
}

std::string to_string(PartitionMode mode) {
  switch (mode) {
    case PartitionMode::kColumn: return "column";
    case PartitionMode::kShard: return "shard";
    case PartitionMode::kSpread: return "spread";
  }
  return "?";
}

std::size_t ClientAssignment::steps() const {
  std::size_t n = 0;
  for (const auto& s : slices) n += s.steps();
  return n;
}

std::vector<ClientAssignment> partition_table(const LoadTable& table, PartitionMode mode, std::size_t clients) {
  return partition_table(table.shape(), mode, clients);
}

std::vector<ClientAssignment> partition_table(const TableShape& shape, PartitionMode mode, std::size_t clients) {
  const std::size_t columns = shape.columns;
  const std::size_t steps = shape.steps;
  std::vector<ClientAssignment> out;
  switch (mode) {
    case PartitionMode::kColumn:
      if (clients != 0 && clients != columns)
        throw_input_error("partition = \"column\" gives one client per column: {} column(s), but clients = {}",
                          columns, clients);
      for (std::size_t c = 0; c < columns; ++c) out.push_back({c, {{c, 0, steps}}});
      break;
    case PartitionMode::kSpread:
      if (clients == 0) clients = columns;
      if (clients > columns)
        throw_input_error("partition = \"spread\": {} clients but only {} column(s); each client needs one", clients,
                          columns);
      out.resize(clients);
      for (std::size_t k = 0; k < clients; ++k) out[k].client = k;
      for (std::size_t c = 0; c < columns; ++c) out[c % clients].slices.push_back({c, 0, steps});
      break;
    case PartitionMode::kShard: {
      if (columns != 1)
        throw_input_error("partition = \"shard\" cuts one column into clients; {} columns were selected", columns);
      if (clients == 0) throw_input_error("partition = \"shard\" needs clients >= 1");
      // shard boundaries at midnights, counted from the first midnight of the series
      const std::int64_t res = shape.resolution_seconds;
      const std::int64_t to_midnight = (kSecondsPerDay - seconds_of_day(shape.start)) % kSecondsPerDay;
      const std::size_t first_midnight = static_cast<std::size_t>((to_midnight + res - 1) / res);
      const std::size_t whole_days = steps > first_midnight ? (steps - first_midnight) / shape.steps_per_day : 0;
      const std::size_t days_per_client = whole_days / clients;
      if (days_per_client < 2)
        throw_input_error("partition = \"shard\": {} whole day(s) cannot be cut into {} shards of 2 days or more",
                          whole_days, clients);
      for (std::size_t k = 0; k < clients; ++k) {
        const std::size_t begin = k == 0 ? 0 : first_midnight + k * days_per_client * shape.steps_per_day;
        const std::size_t end = k + 1 == clients ? steps : first_midnight + (k + 1) * days_per_client * shape.steps_per_day;
        out.push_back({k, {{0, begin, end}}});
      }
      break;
    }
  }
  return out;
}

}  // namespace fedload::data
