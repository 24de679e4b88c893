# data pipeline: time parsing, CSV checks, resolution, cleaning, synthetic data, windows, ETT
fedload_add_test(fedload_test_data
  SOURCES
    unit/data_time_test.cpp
    unit/data_csv_test.cpp
    unit/data_cleaning_test.cpp
    unit/data_synthetic_test.cpp
    unit/data_windows_test.cpp
    unit/data_dataset_test.cpp
    unit/data_ett_test.cpp
    unit/data_only_clients_test.cpp
    unit/data_attack_test.cpp
    unit/data_hybrid_features_test.cpp
  LIBS fedload::data
  LABELS unit
  TIMEOUT 60)
