# backend.kind = "auto" (kernels/auto_backend.cpp): the rule on made-up devices and against the
# H100 table it comes from, and the choice on this machine; which GPU each rank binds. No GPU needed.
fedload_add_test(fedload_auto_backend_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/unit/kernels_auto_backend_test.cpp
          ${CMAKE_CURRENT_LIST_DIR}/unit/kernels_device_binding_test.cpp
  LIBS fedload::kernels
  LABELS unit
  TIMEOUT 60)
