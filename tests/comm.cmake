# comm: the Transport's vocabulary (unit) and every MPI collective under mpirun with 1, 2, 3 and
# 5 ranks (integration). Only with FEDLOAD_MPI.
if(NOT FEDLOAD_MPI)
  return()
endif()

fedload_add_test(fedload_comm_tests
  SOURCES unit/comm_transport_test.cpp
  LIBS fedload::comm
  LABELS unit
  TIMEOUT 30)

# the program mpirun starts: GoogleTest with its own main (MPI lifetime, one printing rank)
add_executable(fedload_comm_mpi_checks integration/comm_transport_mpi.cpp)
target_link_libraries(fedload_comm_mpi_checks PRIVATE fedload::comm GTest::gtest fedload_warnings)

fedload_add_test(fedload_comm_mpirun_tests
  SOURCES integration/comm_transport_mpirun_test.cpp
  LIBS fedload::core
  LABELS integration
  TIMEOUT 150)
target_compile_definitions(fedload_comm_mpirun_tests PRIVATE
  FEDLOAD_MPIEXEC="${MPIEXEC_EXECUTABLE}"
  FEDLOAD_COMM_MPI_CHECKS="$<TARGET_FILE:fedload_comm_mpi_checks>")
add_dependencies(fedload_comm_mpirun_tests fedload_comm_mpi_checks)
