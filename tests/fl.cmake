# fl: strategies (coefficients, FedNova vs FedAvg), exact fixed-point sums, client selection and
# placement. Pure C++, no MPI.
fedload_add_test(fedload_fl_tests
  SOURCES
    unit/fl_strategy_test.cpp
    unit/fl_krum_test.cpp
    unit/fl_exact_sum_test.cpp
    unit/fl_selection_test.cpp
    unit/fl_placement_test.cpp
    unit/fl_defects_test.cpp
    unit/fl_quality_weighted_test.cpp
  LIBS fedload::fl
  LABELS unit
  TIMEOUT 60)
