// Deterministic parameter initialization (rule documented in init.hpp).
#include "fedload/kernels/init.hpp"

#include <cmath>

#include "fedload/core/rng.hpp"

namespace fedload::kernels {

template <typename S>
void init_uniform_group(S* p, std::size_t n, double bound, std::uint64_t seed, std::uint64_t group) {
  CounterRng rng(seed, group);
  for (std::size_t k = 0; k < n; ++k) p[k] = static_cast<S>(rng.uniform(-bound, bound));
}

template void init_uniform_group<float>(float*, std::size_t, double, std::uint64_t, std::uint64_t);
template void init_uniform_group<double>(double*, std::size_t, double, std::uint64_t, std::uint64_t);

void init_forecaster_params(const ForecasterDims& d, std::uint64_t seed, float* flat) {
  const auto slots = forecaster_layout(d);
  const double bound = 1.0 / std::sqrt(static_cast<double>(d.H));
  for (std::size_t g = 0; g < slots.size(); ++g) {
    const auto& s = slots[g];
    float* p = flat + s.offset;
    init_uniform_group(p, s.size(), bound, seed, g);
    if (s.name.ends_with(".b_ih")) {
      for (int j = d.H; j < 2 * d.H; ++j) p[j] += 1.0f;  // forget gate
    }
  }
}

}  // namespace fedload::kernels
