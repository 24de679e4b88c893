#pragma once
// Element-wise comparison of a GPU backend's numbers with the CPU reference's:
// |got - want| <= atol + rtol |want|, every element finite (outputs are poisoned with NaN before
// each call, so a NaN means "never written"), and the worst element named on failure.
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "fedload/kernels/backend.hpp"

namespace fedload::kernels::testing {

struct Tolerance {
  double rtol = 1e-4;
  double atol = 1e-5;
};

struct Comparison {
  bool ok = true;
  std::size_t bad = 0;        // elements outside the tolerance or not finite
  std::size_t worst = 0;      // index of the largest |got - want| / (atol + rtol |want|)
  double worst_ratio = 0.0;
  std::string report;         // empty when ok
};

inline Comparison compare(const std::vector<float>& got, const std::vector<float>& want, Tolerance tol,
                          const std::string& what, const std::vector<ParamSlot>* layout = nullptr) {
  Comparison c;
  for (std::size_t k = 0; k < want.size(); ++k) {
    const double g = got[k], w = want[k];
    const double ratio = std::isfinite(g) ? std::fabs(g - w) / (tol.atol + tol.rtol * std::fabs(w)) : INFINITY;
    if (!(ratio <= 1.0)) ++c.bad;
    if (!(ratio <= c.worst_ratio)) {
      c.worst_ratio = ratio;
      c.worst = k;
    }
  }
  c.ok = c.bad == 0;
  std::string where = fmt::format("[{}]", c.worst);
  if (layout) {
    for (const ParamSlot& s : *layout)
      if (c.worst >= s.offset && c.worst < s.offset + s.size()) where = fmt::format("{}[{}]", s.name, c.worst - s.offset);
  }
  const std::string line = fmt::format("{}: {} of {} elements off; worst {} got {:.9g} want {:.9g} (|diff| = {:.3g}, "
                                       "{:.3g} x tolerance)",
                                       what, c.bad, want.size(), where, got.empty() ? 0.0 : got[c.worst],
                                       want.empty() ? 0.0 : want[c.worst],
                                       want.empty() ? 0.0 : std::fabs(double(got[c.worst]) - want[c.worst]),
                                       c.worst_ratio);
  c.report = line;
  return c;
}

}  // namespace fedload::kernels::testing
