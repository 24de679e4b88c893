#pragma once
// The command that starts a program on several MPI ranks, for integration tests. Needs
// FEDLOAD_MPIEXEC (the test target's compile definition, from CMake's MPIEXEC_EXECUTABLE).
#include <string>

#include "support/run_process.hpp"

#ifndef FEDLOAD_MPIEXEC
#error "support/mpi_launch.hpp needs FEDLOAD_MPIEXEC (see tests/app.cmake)"
#endif

namespace fedload::testing {

// `mpiexec --oversubscribe -np ranks program`. It starts with `env`, so it can follow a wrapper
// (`timeout 60 ` + mpirun_command(3)). Open MPI refuses root without the two variables (CI
// containers run as root); they are harmless otherwise.
inline std::string mpirun_command(int ranks, const std::string& program = fedload_binary()) {
  return "env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 " +
         std::string(FEDLOAD_MPIEXEC) + " --oversubscribe -np " + std::to_string(ranks) + " " +
         program;
}

}  // namespace fedload::testing
