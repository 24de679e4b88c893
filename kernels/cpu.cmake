# fedload_kernels: the kernel contracts, the backend registry (and its "auto" choice) and the CPU
# reference backend.
# No MPI and no HDF5: GPU tests and benchmarks link it on machines that have neither.
add_library(fedload_kernels STATIC
  ${CMAKE_CURRENT_LIST_DIR}/backend.cpp
  ${CMAKE_CURRENT_LIST_DIR}/auto_backend.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cpu/reference/lstm.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cpu/reference/linear.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cpu/reference/embedding.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cpu/loss.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cpu/optimizer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cpu/init.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cpu/reference_backend.cpp
)
add_library(fedload::kernels ALIAS fedload_kernels)
target_include_directories(fedload_kernels PUBLIC $<BUILD_INTERFACE:${CMAKE_CURRENT_LIST_DIR}/include>)
target_link_libraries(fedload_kernels PUBLIC fedload::core PRIVATE fedload_warnings)
# register_gpu_backends() comes from fedload_kernels_gpu or gpu_stub.cpp: see zz_link.cmake
