#pragma once
// The communicator an MPI Transport runs on, for benchmarks that must compare raw MPI calls with
// the Transport's on the very same communicator. Kept apart from mpi_transport.hpp so that header
// does not need <mpi.h>.
#include <mpi.h>

#include "fedload/comm/transport.hpp"

namespace fedload::comm::detail {

// The Transport's own duplicate of MPI_COMM_WORLD (MPI_ERRORS_RETURN); fedload::Error when
// `transport` is not one made by make_mpi_transport. The Transport keeps ownership.
MPI_Comm mpi_communicator(const Transport& transport);

}  // namespace fedload::comm::detail
