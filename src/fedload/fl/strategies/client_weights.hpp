#pragma once
// Weights the linear strategies share.
#include <span>
#include <vector>

#include "fedload/fl/strategy.hpp"

namespace fedload::fl {

// Runtime error unless client ids strictly increase, samples are finite and >= 0 and
// local_steps >= 0: the driver builds the reports, so a bad one is a bug, not user input.
void check_reports(std::span<const ClientReport> reports);

// p_i = n_i / sum n (n = samples). When no client trained on anything (sum n = 0) every p_i is
// 0, so the global model stays where it is.
std::vector<double> sample_fractions(std::span<const ClientReport> reports);

}  // namespace fedload::fl
