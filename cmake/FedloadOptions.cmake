# Every option fedload reads; all prefixed FEDLOAD_.
set(FEDLOAD_CUDA "AUTO" CACHE STRING "Build the CUDA kernels: AUTO (when nvcc is found), ON (required), OFF")
set_property(CACHE FEDLOAD_CUDA PROPERTY STRINGS AUTO ON OFF)
option(FEDLOAD_CUDNN "Build the cuDNN backend when CUDA is on and cuDNN is found" ON)
option(FEDLOAD_NCCL "Use NCCL for GPU transport when CUDA is on and NCCL is found" ON)
option(FEDLOAD_NVTX "NVTX ranges for every phase where the NVTX v3 headers are found (header-only)" ON)
option(FEDLOAD_MPI "Build the MPI runtime (off: GPU-only helper builds, e.g. on a GPU box without MPI)" ON)
option(FEDLOAD_HDF5 "Build the HDF5 result writer and the fedload CLI" ON)
option(FEDLOAD_BUILD_BENCHMARKS "Build the Google Benchmark programs in bench/" ON)
option(FEDLOAD_BUILD_TESTS "Build the GoogleTest suite in tests/" ON)
option(FEDLOAD_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
option(FEDLOAD_NATIVE "Compile host code with -march=native" OFF)
set(FEDLOAD_CUDA_ARCHITECTURES "90" CACHE STRING "CUDA architectures (default sm_90 plus compute_90 PTX)")

# Status lines collected during configure and printed by FedloadStatus.
set(FEDLOAD_STATUS_LINES "" CACHE INTERNAL "")
function(fedload_status name state why)
  set(FEDLOAD_STATUS_LINES "${FEDLOAD_STATUS_LINES};${name}|${state}|${why}" CACHE INTERNAL "")
endfunction()
