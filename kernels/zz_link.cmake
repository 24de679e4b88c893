# Included after every other kernels/*.cmake (they are included in alphabetical order), when
# fedload_kernels_gpu exists if kernels/cuda.cmake built it. register_gpu_backends() is defined
# either by that library (CUDA on) or by gpu_stub.cpp, which registers nothing (CUDA off).
if(TARGET fedload_kernels_gpu)
  target_link_libraries(fedload_kernels PUBLIC fedload_kernels_gpu)
else()
  target_sources(fedload_kernels PRIVATE ${CMAKE_CURRENT_LIST_DIR}/gpu_stub.cpp)
endif()
