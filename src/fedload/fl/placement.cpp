#include "fedload/fl/placement.hpp"

#include "fedload/core/error.hpp"

namespace fedload::fl {

Placement place_clients(const PlacementOptions& o) {
  if (o.ranks < 1) throw_input_error("client placement needs at least one rank, got {}", o.ranks);
  if (!o.server_hosts_clients && o.ranks == 1) {
    throw_input_error("fl.server_hosts_clients = false leaves no rank for the clients in a single "
                      "process: start with -np 2 or more, or let the server host clients");
  }
  const int first = o.server_hosts_clients ? 0 : 1;
  const std::size_t hosts = static_cast<std::size_t>(o.ranks - first);
  const std::size_t n = o.clients;
  const std::size_t k = o.clients_per_rank;
  if (k > 0) {
    const std::size_t needed = (n + k - 1) / k;
    if (needed > hosts) {
      throw_input_error("fl.clients_per_rank = {} puts {} clients on {} ranks but only {} host clients: "
                        "start with -np {} or raise clients_per_rank to {}",
                        k, n, needed, hosts, needed + static_cast<std::size_t>(first),
                        (n + hosts - 1) / hosts);
    }
  }

  Placement p;
  p.rank_of_client.resize(n);
  p.clients_of_rank.resize(static_cast<std::size_t>(o.ranks));
  const std::size_t base = n / hosts, extra = n % hosts;
  for (std::size_t c = 0; c < n; ++c) {
    std::size_t h = 0;  // index among the hosting ranks
    if (k > 0) {
      h = c / k;
    } else if (c < extra * (base + 1)) {
      h = c / (base + 1);
    } else {
      h = extra + (c - extra * (base + 1)) / base;
    }
    const int rank = first + static_cast<int>(h);
    p.rank_of_client[c] = rank;
    p.clients_of_rank[static_cast<std::size_t>(rank)].push_back(static_cast<std::int64_t>(c));
  }
  return p;
}

}  // namespace fedload::fl
