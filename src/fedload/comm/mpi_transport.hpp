#pragma once
// The MPI Transport: host buffers only (supports(kDevice) is false; a device buffer is refused
// before any communication). It runs over its own duplicate of MPI_COMM_WORLD with
// MPI_ERRORS_RETURN, checks every MPI call and turns a failure into fedload::Error naming the
// call, the rank, the host and MPI's own message.
//
// MPI counts and displacements are `int`: a transfer of more elements than
// `max_elements_per_call` (default INT_MAX) is split into consecutive calls. Variable-size
// payloads (gather_bytes, allgather_bytes) move in rounds in which every rank contributes at
// most max(1, max_elements_per_call / P) bytes, so no count or displacement exceeds the limit.
#include <climits>
#include <cstddef>
#include <memory>
#include <string_view>

#include "fedload/comm/mpi_session.hpp"
#include "fedload/comm/transport.hpp"

namespace fedload::comm {

struct MpiTransportOptions {
  // Largest element count passed to one MPI call; tests set it small to exercise the splitting.
  std::size_t max_elements_per_call = static_cast<std::size_t>(INT_MAX);
};

// Collective over MPI_COMM_WORLD (it duplicates the communicator). The transport must be
// destroyed before the session ends MPI.
std::unique_ptr<Transport> make_mpi_transport(const MpiSession& session, MpiTransportOptions options = {});

namespace detail {
// The error a failed MPI call raises: "<call> failed on rank R (host H): <MPI's message>".
[[noreturn]] void throw_mpi_error(int code, std::string_view call, int rank, std::string_view host);
}  // namespace detail

}  // namespace fedload::comm
