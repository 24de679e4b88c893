if(TARGET fedload)
  fedload_add_test(fedload_cli_tests
    SOURCES integration/cli_test.cpp
    LIBS fedload::core
    LABELS integration)
  add_dependencies(fedload_cli_tests fedload)
  fedload_add_test(fedload_forecast_run_tests
    SOURCES integration/forecast_run_test.cpp
    LIBS fedload::core
    LABELS integration
    TIMEOUT 600)
  add_dependencies(fedload_forecast_run_tests fedload)
  fedload_add_test(fedload_mpi_run_tests
    SOURCES integration/mpi_run_test.cpp
    LIBS fedload::core
    LABELS integration)
  target_compile_definitions(fedload_mpi_run_tests PRIVATE FEDLOAD_MPIEXEC="${MPIEXEC_EXECUTABLE}")
  add_dependencies(fedload_mpi_run_tests fedload)
endif()
if(TARGET fedload)
  fedload_add_test(fedload_federated_run_tests
    SOURCES integration/federated_run_test.cpp
    LIBS fedload::core
    LABELS integration
    TIMEOUT 600)
  target_compile_definitions(fedload_federated_run_tests PRIVATE FEDLOAD_MPIEXEC="${MPIEXEC_EXECUTABLE}")
  add_dependencies(fedload_federated_run_tests fedload)
endif()
if(TARGET fedload)
  fedload_add_test(fedload_federated_resume_tests
    SOURCES integration/federated_resume_test.cpp
    LIBS fedload::core
    LABELS integration
    TIMEOUT 600)
  target_compile_definitions(fedload_federated_resume_tests PRIVATE FEDLOAD_MPIEXEC="${MPIEXEC_EXECUTABLE}")
  add_dependencies(fedload_federated_resume_tests fedload)
endif()
if(TARGET fedload)
  fedload_add_test(fedload_federated_faults_tests
    SOURCES integration/federated_faults_test.cpp
    LIBS fedload::core
    LABELS integration
    TIMEOUT 600)
  target_compile_definitions(fedload_federated_faults_tests PRIVATE FEDLOAD_MPIEXEC="${MPIEXEC_EXECUTABLE}")
  add_dependencies(fedload_federated_faults_tests fedload)
endif()
if(TARGET fedload)
  fedload_add_test(fedload_verify_tests
    SOURCES integration/verify_test.cpp
    LIBS fedload::core
    LABELS integration
    TIMEOUT 300)
  target_compile_definitions(fedload_verify_tests PRIVATE FEDLOAD_MPIEXEC="${MPIEXEC_EXECUTABLE}")
  add_dependencies(fedload_verify_tests fedload)
endif()
