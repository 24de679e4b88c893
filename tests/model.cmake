# Tests of the reference kernels, the layer toolkit, the cpu_reference backend and PyTorch parity.
fedload_add_test(fedload_model_tests
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/unit/model_gradcheck.cpp
    ${CMAKE_CURRENT_LIST_DIR}/unit/model_backend.cpp
    ${CMAKE_CURRENT_LIST_DIR}/unit/model_torch_parity.cpp
    ${CMAKE_CURRENT_LIST_DIR}/unit/model_training.cpp
    ${CMAKE_CURRENT_LIST_DIR}/unit/model_local_training.cpp
    ${CMAKE_CURRENT_LIST_DIR}/unit/model_hybrid_test.cpp
  LIBS fedload::model fedload::kernels
  LABELS unit
  TIMEOUT 120)
# Forecast metrics pooled from per-client sums (no kernels needed).
fedload_add_test(fedload_test_model_metrics
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/unit/model_metrics_test.cpp
  LIBS fedload::model
  LABELS unit
  TIMEOUT 60)
