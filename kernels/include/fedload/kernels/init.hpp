#pragma once
// Deterministic initialization of the default forecaster's flat parameters.
//
// Every parameter group g (its index in forecaster_layout()) draws from CounterRng(seed, g), so
// a group's values do not depend on the sizes of the others. The rule is PyTorch's defaults with
// a forget-gate bias of one:
//   lstm.l.*  uniform(-1/sqrt(H), 1/sqrt(H))  (nn.LSTM's reset_parameters), then the forget
//             slice [H, 2H) of lstm.l.b_ih gets +1 so the cell remembers by default early in
//             training (Jozefowicz et al. 2015); lstm.l.b_hh is left as drawn.
//   head.w, head.b  uniform(-1/sqrt(H), 1/sqrt(H))  (nn.Linear's bound 1/sqrt(fan_in))
#include <cstddef>
#include <cstdint>

#include "fedload/kernels/backend.hpp"

namespace fedload::kernels {

// Fills n values uniform in [-bound, bound) from CounterRng(seed, group); the one draw rule every
// parameter group uses (the model toolkit's layers too).
template <typename S>
void init_uniform_group(S* p, std::size_t n, double bound, std::uint64_t seed, std::uint64_t group);

void init_forecaster_params(const ForecasterDims& d, std::uint64_t seed, float* flat);

}  // namespace fedload::kernels
