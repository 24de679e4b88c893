#pragma once
// What a result file records about where and how a run ran.
#include <string>
#include <vector>

#include "fedload/comm/mpi_session.hpp"
#include "fedload/io/attribute.hpp"

namespace fedload::app {

// fedload version and commit, build type, argv, hosts (one per rank), ranks, CPU model and
// cores, OS, compiler, MPI library, the GPUs visible (or why none) and the GPU each rank is bound
// to (rank_devices: the CUDA device index, "none" without one; `device` is this rank's, from
// kernels::bind_device). Collective: every rank calls it (host names and devices are gathered).
io::AttributeList collect_environment(const comm::MpiSession& mpi, const std::vector<std::string>& argv, int device);

}  // namespace fedload::app
