# The "cpu" backend (kernels/cpu/fast): sources appended to fedload_kernels (it reuses that
# library's loss, optimizer and registry, so a separate static library would be a link cycle).
# GEMMs on the distribution's OpenBLAS when FedloadDependencies found BLAS, else plain loops;
# the gate pointwise code is built three times with different -m flags and picked at run time.
set(_fast ${CMAKE_CURRENT_LIST_DIR}/cpu/fast)
target_sources(fedload_kernels PRIVATE
  ${_fast}/cpu_backend.cpp
  ${_fast}/lstm_layer.cpp
  ${_fast}/sgemm.cpp
  ${_fast}/simd_dispatch.cpp
  ${_fast}/simd_generic.cpp
  ${_fast}/simd_avx2.cpp
  ${_fast}/simd_avx512.cpp
)
# -O3 on the pointwise builds whatever the build type's level, and -fno-trapping-math so that GCC
# may evaluate both sides of the branch-free selects in exp/tanh: without it nothing vectorizes
set_source_files_properties(${_fast}/simd_generic.cpp PROPERTIES COMPILE_OPTIONS "-O3;-fno-trapping-math")
set_source_files_properties(${_fast}/simd_avx2.cpp PROPERTIES COMPILE_OPTIONS "-O3;-fno-trapping-math;-mavx2;-mfma")
set_source_files_properties(${_fast}/simd_avx512.cpp PROPERTIES
  COMPILE_OPTIONS "-O3;-fno-trapping-math;-mavx512f;-mavx512vl;-mavx512dq;-mavx512bw;-mavx2;-mfma;-mprefer-vector-width=512")

set(FEDLOAD_CPU_BLAS "none")
if(BLAS_FOUND)
  include(CheckIncludeFileCXX)
  include(CheckSymbolExists)
  set(CMAKE_REQUIRED_LIBRARIES ${BLAS_LIBRARIES})
  check_include_file_cxx(cblas.h FEDLOAD_CBLAS_H)
  if(FEDLOAD_CBLAS_H)
    check_symbol_exists(openblas_set_num_threads cblas.h FEDLOAD_OPENBLAS_THREADS)
  endif()
  unset(CMAKE_REQUIRED_LIBRARIES)
  if(FEDLOAD_CBLAS_H)
    target_link_libraries(fedload_kernels PRIVATE ${BLAS_LIBRARIES})
    target_compile_definitions(fedload_kernels PRIVATE FEDLOAD_HAVE_CBLAS)
    set(FEDLOAD_CPU_BLAS "CBLAS")
    if(FEDLOAD_OPENBLAS_THREADS)
      target_compile_definitions(fedload_kernels PRIVATE FEDLOAD_HAVE_OPENBLAS)
      set(FEDLOAD_CPU_BLAS "OpenBLAS")
    endif()
  endif()
endif()
if(FEDLOAD_CPU_BLAS STREQUAL "none")
  message(STATUS "fedload cpu backend: no cblas.h/BLAS, GEMMs run on built-in loops (apt-get install libopenblas-dev)")
else()
  message(STATUS "fedload cpu backend: GEMMs on ${FEDLOAD_CPU_BLAS} (${BLAS_LIBRARIES})")
endif()

# The shared optimizer (kernels/cpu/optimizer.cpp, also cpu_reference's) vectorizes only when
# sqrt need not set errno; its arguments are never negative, and vector sqrt and division are
# correctly rounded like the scalar ones, so results are bitwise unchanged. Adam over the 1M
# parameters of H = 512 went from ~6% of a "cpu" step to ~2%.
set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/cpu/optimizer.cpp PROPERTIES COMPILE_OPTIONS "-fno-math-errno")
