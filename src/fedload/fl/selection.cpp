#include "fedload/fl/selection.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "fedload/core/error.hpp"
#include "fedload/core/rng.hpp"

namespace fedload::fl {
namespace {

constexpr std::uint64_t kSelectionTag = 0x53454c4543540000ULL;  // "SELECT\0\0"

void check_options(const SelectionOptions& o) {
  if (o.kind == SelectionKind::kFixed && !(o.fraction > 0 && o.fraction <= 1)) {
    throw_input_error("client selection \"fixed\" needs a fraction in (0, 1], got {}", o.fraction);
  }
  if (o.kind == SelectionKind::kPoisson && !(o.rate >= 0 && o.rate <= 1)) {
    throw_input_error("client selection \"poisson\" needs a rate in [0, 1], got {}", o.rate);
  }
}

// K = floor(fraction * n), forgiving a relative error of 1e-9, at least 1 and at most n
std::size_t fixed_count(double fraction, std::size_t n) {
  if (n == 0) return 0;
  const double k_real = std::floor(fraction * static_cast<double>(n) * (1 + 1e-9));
  return std::clamp<std::size_t>(static_cast<std::size_t>(k_real), 1, n);
}

}  // namespace

SelectionKind parse_selection_kind(const std::string& name) {
  if (name == "all") return SelectionKind::kAll;
  if (name == "fixed") return SelectionKind::kFixed;
  if (name == "poisson") return SelectionKind::kPoisson;
  throw_input_error("unknown client selection '{}' (known: all, fixed, poisson)", name);
}

std::string selection_kind_name(SelectionKind kind) {
  switch (kind) {
    case SelectionKind::kAll: return "all";
    case SelectionKind::kFixed: return "fixed";
    case SelectionKind::kPoisson: return "poisson";
  }
  return "unknown";
}

std::optional<std::size_t> clients_per_round(const SelectionOptions& o, std::size_t n) {
  check_options(o);
  switch (o.kind) {
    case SelectionKind::kAll: return n;
    case SelectionKind::kFixed: return fixed_count(o.fraction, n);
    case SelectionKind::kPoisson: return std::nullopt;
  }
  return std::nullopt;
}

std::vector<std::int64_t> select_clients(const SelectionOptions& o, std::size_t n, std::uint64_t seed,
                                         std::int64_t round) {
  check_options(o);
  if (round < 1) throw_runtime_error("client selection: rounds count from 1, got {}", round);
  std::vector<std::int64_t> ids;
  if (n == 0) return ids;
  CounterRng rng(seed, kSelectionTag ^ static_cast<std::uint64_t>(round));
  switch (o.kind) {
    case SelectionKind::kAll:
      ids.resize(n);
      std::iota(ids.begin(), ids.end(), std::int64_t{0});
      break;
    case SelectionKind::kFixed: {
      const std::size_t k = fixed_count(o.fraction, n);
      // partial Fisher-Yates: the first k slots become a uniform k-subset
      std::vector<std::int64_t> pool(n);
      std::iota(pool.begin(), pool.end(), std::int64_t{0});
      for (std::size_t i = 0; i < k; ++i) {
        const std::size_t j = i + static_cast<std::size_t>(rng.below(n - i));
        std::swap(pool[i], pool[j]);
      }
      ids.assign(pool.begin(), pool.begin() + static_cast<std::ptrdiff_t>(k));
      std::sort(ids.begin(), ids.end());
      break;
    }
    case SelectionKind::kPoisson:
      for (std::size_t c = 0; c < n; ++c) {
        if (rng.uniform() < o.rate) ids.push_back(static_cast<std::int64_t>(c));
      }
      break;
  }
  return ids;
}

}  // namespace fedload::fl
