#pragma once
// How the columns of a load table become federated clients; each client owns its series.
//   kColumn: one column per client (clients = number of columns);
//   kSpread: many columns spread over fewer clients, column c to client c mod clients (each
//            client gets at least one column; a client with several trains on all of them);
//   kShard:  one column cut into `clients` contiguous shards of whole days in time order
//            (boundaries at midnights; the remainder goes to the last shard).
#include <cstddef>
#include <string>
#include <vector>

#include "fedload/data/load_table.hpp"

namespace fedload::data {

enum class PartitionMode { kColumn, kShard, kSpread };

// "column" | "shard" | "spread"; InputError otherwise
PartitionMode parse_partition_mode(const std::string& name);
std::string to_string(PartitionMode mode);

struct SeriesSlice {
  std::size_t column = 0;  // index into the table's columns
  std::size_t begin = 0;   // steps [begin, end) of that column
  std::size_t end = 0;
  std::size_t steps() const { return end - begin; }
};

struct ClientAssignment {
  std::size_t client = 0;
  std::vector<SeriesSlice> slices;
  std::size_t steps() const;
};

// clients = 0 picks the natural count: number of columns for kColumn and kSpread; InputError
// for kShard, which needs it. InputError for a count that does not fit the mode. Only the
// table's shape is read, so the mapping is known before any value is loaded.
std::vector<ClientAssignment> partition_table(const TableShape& shape, PartitionMode mode, std::size_t clients);
std::vector<ClientAssignment> partition_table(const LoadTable& table, PartitionMode mode, std::size_t clients);

}  // namespace fedload::data
