#pragma once
// The squared L2 norm of a flat float buffer (a model update), summed in double in index order:
// a float sum of 10^6 squares loses digits, and a fixed order makes the value the same wherever
// it is computed.
#include <span>

namespace fedload {

inline double squared_l2(std::span<const float> v) {
  double sum = 0.0;
  for (const float x : v) sum += static_cast<double>(x) * x;
  return sum;
}

}  // namespace fedload
