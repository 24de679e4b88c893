# The "cpu" backend (kernels/cpu/fast): sources appended to fedload_kernels (it reuses that
# library's loss, optimizer and registry, so a separate static library would be a link cycle).
# The step's GEMMs and gate loops are built three times (simd_avx512/avx2/generic.cpp, with
# different -m flags) and picked at run time; the head's GEMMs and the data gradient of stacked
# layers use the distribution's OpenBLAS when FedloadDependencies found BLAS, else plain loops.
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
# -O3 on the SIMD builds whatever the build type's level, and -fno-trapping-math so that GCC
# may evaluate both sides of the branch-free selects in exp/tanh: without it nothing vectorizes.
set(_fedload_simd_common "-O3;-fno-trapping-math")
# OpenMP (GCC's libgomp) splits the GEMM panels and the cell update over FEDLOAD_CPU_THREADS
# threads; only these three files use it, so only they get -fopenmp.
find_package(OpenMP QUIET COMPONENTS CXX)
if(OpenMP_CXX_FOUND)
  list(APPEND _fedload_simd_common ${OpenMP_CXX_FLAGS})
  target_link_libraries(fedload_kernels PRIVATE $<LINK_ONLY:OpenMP::OpenMP_CXX>)
  set(_fedload_cpu_threads "OpenMP")
else()
  set(_fedload_cpu_threads "single-threaded: no OpenMP")
endif()
set_source_files_properties(${_fast}/simd_generic.cpp PROPERTIES COMPILE_OPTIONS "${_fedload_simd_common}")
set_source_files_properties(${_fast}/simd_avx2.cpp PROPERTIES COMPILE_OPTIONS "${_fedload_simd_common};-mavx2;-mfma")
set_source_files_properties(${_fast}/simd_avx512.cpp PROPERTIES
  COMPILE_OPTIONS "${_fedload_simd_common};-mavx512f;-mavx512vl;-mavx512dq;-mavx512bw;-mavx2;-mfma;-mprefer-vector-width=512")

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
  message(STATUS "fedload cpu backend: SIMD kernels, ${_fedload_cpu_threads}; no cblas.h/BLAS, the head and dx GEMMs run on built-in loops (apt-get install libopenblas-dev)")
else()
  message(STATUS "fedload cpu backend: SIMD kernels, ${_fedload_cpu_threads}; head and dx GEMMs on ${FEDLOAD_CPU_BLAS} (${BLAS_LIBRARIES})")
endif()

# The shared optimizer (kernels/cpu/optimizer.cpp, also cpu_reference's) vectorizes only when
# sqrt need not set errno; its arguments are never negative, and vector sqrt and division are
# correctly rounded like the scalar ones, so results are bitwise unchanged. Adam over the 1M
# parameters of H = 512 went from ~6% of a "cpu" step to ~2%.
set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/cpu/optimizer.cpp PROPERTIES COMPILE_OPTIONS "-fno-math-errno")
