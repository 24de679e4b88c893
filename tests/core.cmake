fedload_add_test(fedload_core_tests
  SOURCES unit/config_test.cpp unit/core_test.cpp unit/core_stall_watchdog_test.cpp unit/core_profiler_range_test.cpp
  LIBS fedload::core
  LABELS unit)
