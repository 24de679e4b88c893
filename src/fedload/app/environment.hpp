#pragma once
// What a result file records about where and how a run ran.
#include <string>
#include <vector>

#include "fedload/comm/mpi_session.hpp"
#include "fedload/io/attribute.hpp"

namespace fedload::app {

// fedload version and commit, build type, argv, hosts (one per rank), ranks, CPU model and
// cores, OS, compiler, MPI library, and the GPUs visible (or why none). Collective: every rank
// calls it (the host names are gathered).
io::AttributeList collect_environment(const comm::MpiSession& mpi, const std::vector<std::string>& argv);

}  // namespace fedload::app
