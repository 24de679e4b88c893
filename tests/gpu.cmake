# GPU backends. fedload_gpu_tests (label gpu): every GPU backend against cpu_reference; skips
# visibly without a GPU. fedload_gpu_host_tests (label unit): the host-side logic CI can run.
# Neither links MPI or HDF5, so both build with the gpu-only preset.
fedload_add_test(fedload_gpu_host_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/gpu/gpu_host_test.cpp
  LIBS fedload::kernels
  LABELS unit
  TIMEOUT 60)
if(FEDLOAD_HAVE_CUDA)
  fedload_add_test(fedload_gpu_tests
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/gpu/gpu_backend_test.cpp
    LIBS fedload::kernels
    LABELS gpu
    TIMEOUT 300)
endif()
