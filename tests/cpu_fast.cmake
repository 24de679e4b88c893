# The "cpu" backend (kernels/cpu/fast) against the reference kernels and the cpu_reference
# backend. Its private headers (pointwise.hpp, lstm_layer.hpp) are included directly.
fedload_add_test(fedload_cpu_fast_tests
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/unit/cpu_fast_layer_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/unit/cpu_fast_backend_test.cpp
  LIBS fedload::kernels
  LABELS unit
  TIMEOUT 120)
target_include_directories(fedload_cpu_fast_tests PRIVATE
  ${CMAKE_SOURCE_DIR}/kernels/cpu/fast ${CMAKE_CURRENT_LIST_DIR}/unit)
