# GPU backends. fedload_gpu_host (always built, plain C++): the device query (a stub without
# CUDA), the persistent kernel's plan and the cuDNN weight-layout map, so CI tests that logic
# without a GPU. fedload_kernels_gpu (only with CUDA): the `cuda`, `cuda_stream`,
# `cuda_persistent`, `cuda_cluster`, `cuda_register` and (with cuDNN) `cudnn*` backends and
# register_gpu_backends(); zz_link.cmake links it into fedload_kernels. Neither links MPI or HDF5.
set(_gpu_dir ${CMAKE_CURRENT_LIST_DIR})
add_library(fedload_gpu_host STATIC
  ${_gpu_dir}/cuda/gpu_plan.cpp
  ${_gpu_dir}/cuda/device_describe.cpp
  ${_gpu_dir}/cuda/device_binding.cpp
  ${_gpu_dir}/cuda/graph_replay.cpp
  ${_gpu_dir}/cudnn/cudnn_layout.cpp)
target_include_directories(fedload_gpu_host PUBLIC $<BUILD_INTERFACE:${_gpu_dir}/include>)
target_link_libraries(fedload_gpu_host PUBLIC fedload::core PRIVATE fedload_warnings)
# cudnn_layout.cpp reads forecaster_layout() (backend.cpp); static libraries may depend on
# each other in a cycle
target_link_libraries(fedload_gpu_host PRIVATE fedload_kernels)
target_link_libraries(fedload_kernels PUBLIC fedload_gpu_host)

if(FEDLOAD_HAVE_CUDA)
  add_library(fedload_kernels_gpu STATIC
    ${_gpu_dir}/cuda/device_info.cpp
    ${_gpu_dir}/cuda/device_forecaster.cpp
    ${_gpu_dir}/cuda/cuda_forecaster.cpp
    ${_gpu_dir}/cuda/lstm_kernels.cu
    ${_gpu_dir}/cuda/persistent_lstm.cu
    ${_gpu_dir}/cuda/cluster_lstm.cu
    ${_gpu_dir}/cuda/register_lstm.cu
    ${_gpu_dir}/cuda/register_gpu.cpp)
  if(FEDLOAD_HAVE_CUDNN)
    target_sources(fedload_kernels_gpu PRIVATE ${_gpu_dir}/cudnn/cudnn_forecaster.cpp)
  endif()
  target_link_libraries(fedload_kernels_gpu PUBLIC fedload_gpu_host fedload::cuda fedload::cudnn
                        PRIVATE fedload_kernels fedload_warnings)
  # FP32 as written: no fast-math intrinsics; lineinfo keeps ncu/compute-sanitizer readable
  target_compile_options(fedload_kernels_gpu PRIVATE $<$<COMPILE_LANGUAGE:CUDA>:-lineinfo -Xptxas=-warn-spills>)
  # CMake 3.25 has no C++20 flag for nvcc ("CUDA20" dialect unknown), so the .cu files are C++17
  set_target_properties(fedload_kernels_gpu PROPERTIES CUDA_STANDARD 17 CUDA_SEPARABLE_COMPILATION OFF
                                                       POSITION_INDEPENDENT_CODE ON)
else()
  target_sources(fedload_gpu_host PRIVATE ${_gpu_dir}/cuda/device_info_none.cpp ${_gpu_dir}/cuda/backend_detail_none.cpp)
endif()
