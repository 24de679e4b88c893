# app: the `fedload` program end to end, each test target running the built binary (and mpirun).
if(NOT TARGET fedload)
  return()
endif()

# fedload_add_cli_test(name source [TIMEOUT s]): an integration test of the fedload program,
# rebuilt with it, that may start it under mpirun (support/mpi_launch.hpp)
function(fedload_add_cli_test name source)
  cmake_parse_arguments(C "" "TIMEOUT" "" ${ARGN})
  if(NOT C_TIMEOUT)
    set(C_TIMEOUT 300)
  endif()
  fedload_add_test(${name}
    SOURCES ${source}
    LIBS fedload::core
    LABELS integration
    TIMEOUT ${C_TIMEOUT})
  target_compile_definitions(${name} PRIVATE FEDLOAD_MPIEXEC="${MPIEXEC_EXECUTABLE}")
  add_dependencies(${name} fedload)
endfunction()

fedload_add_cli_test(fedload_cli_tests integration/cli_test.cpp)
fedload_add_cli_test(fedload_forecast_run_tests integration/forecast_run_test.cpp TIMEOUT 600)
fedload_add_cli_test(fedload_mpi_run_tests integration/mpi_run_test.cpp)
fedload_add_cli_test(fedload_federated_run_tests integration/federated_run_test.cpp TIMEOUT 600)
fedload_add_cli_test(fedload_federated_resume_tests integration/federated_resume_test.cpp TIMEOUT 600)
fedload_add_cli_test(fedload_federated_faults_tests integration/federated_faults_test.cpp TIMEOUT 600)
fedload_add_cli_test(fedload_federated_defects_tests integration/federated_defects_test.cpp TIMEOUT 600)
fedload_add_cli_test(fedload_federated_krum_tests integration/federated_krum_test.cpp TIMEOUT 600)
fedload_add_cli_test(fedload_verify_tests integration/verify_test.cpp)
fedload_add_cli_test(fedload_analysis_tests integration/analysis_test.cpp)
fedload_add_cli_test(fedload_auto_backend_run_tests integration/auto_backend_run_test.cpp)
fedload_add_cli_test(fedload_hybrid_run_tests integration/hybrid_run_test.cpp TIMEOUT 600)
