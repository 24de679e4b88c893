#pragma once
// Which MPI rank hosts which client. Rank 0 is the server; it hosts clients too unless
// server_hosts_clients is false. Ranks may end up with no clients.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace fedload::fl {

struct PlacementOptions {
  std::size_t clients = 0;
  int ranks = 1;
  bool server_hosts_clients = true;
  std::size_t clients_per_rank = 0;  // 0: spread evenly over the hosting ranks
};

struct Placement {
  std::vector<int> rank_of_client;                         // one entry per client
  std::vector<std::vector<std::int64_t>> clients_of_rank;  // one entry per rank, ids sorted
};

// clients_per_rank = 0: balanced contiguous blocks over the hosting ranks (0..P-1, or 1..P-1 when
// the server does not host); the first (n mod R) hosting ranks get one more client.
// clients_per_rank = k > 0: client c on the (c / k)-th hosting rank.
// InputError when k needs more hosting ranks than exist, when ranks < 1, and when the server
// does not host clients but is the only rank.
Placement place_clients(const PlacementOptions& o);

}  // namespace fedload::fl
