#pragma once
// Which clients take part in a round. The choice is a pure function of (seed, round): every rank
// computes the same set without communicating, and a resumed run selects what the original did.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace fedload::fl {

enum class SelectionKind {
  kAll,      // every client, every round
  kFixed,    // K = max(1, floor(fraction * n)) clients drawn without replacement (DearFSAC)
  kPoisson,  // each client independently with probability `rate` (what DP accounting assumes)
};

struct SelectionOptions {
  SelectionKind kind = SelectionKind::kAll;
  double fraction = 1.0;  // kFixed: in (0, 1]
  double rate = 0.1;      // kPoisson: in [0, 1]
};

// "all" | "fixed" | "poisson"; InputError naming the choices otherwise.
SelectionKind parse_selection_kind(const std::string& name);
std::string selection_kind_name(SelectionKind kind);

// Sorted client ids (0..n-1) selected in `round` (1-based) out of n clients. kPoisson may select
// none. floor(fraction * n) forgives a relative error of 1e-9, so fraction 0.29 of 100 clients
// is 29, not 28. InputError for a fraction or rate out of range.
// Draws come from CounterRng(seed, stream) with stream = a constant tag XOR round, so they never
// coincide with the small stream numbers (parameter groups, epochs, series) used elsewhere.
// The clients every round selects out of n when that count is fixed: n for kAll, K for kFixed;
// std::nullopt for kPoisson (it varies from round to round). InputError like select_clients.
std::optional<std::size_t> clients_per_round(const SelectionOptions& o, std::size_t n);

std::vector<std::int64_t> select_clients(const SelectionOptions& o, std::size_t n, std::uint64_t seed,
                                         std::int64_t round);

}  // namespace fedload::fl
