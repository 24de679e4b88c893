# NVTX v3 (header-only; it dlopens the profiler's injection library only when one is attached):
# fedload::nvtx is always defined, empty when off, and carries FEDLOAD_NVTX=1 and the include
# folder when nvtx3/nvToolsExt.h is found. Independent of FEDLOAD_CUDA: a CPU build with the
# headers present opens ranges too (Nsight Systems traces CPU-only runs).
add_library(fedload_nvtx_iface INTERFACE)
add_library(fedload::nvtx ALIAS fedload_nvtx_iface)
set(FEDLOAD_HAVE_NVTX OFF)
if(FEDLOAD_NVTX)
  find_path(FEDLOAD_NVTX_INCLUDE_DIR nvtx3/nvToolsExt.h
            HINTS ${CUDAToolkit_INCLUDE_DIRS} ENV CUDA_HOME PATH_SUFFIXES include
            PATHS /usr/local/cuda/include)
  if(FEDLOAD_NVTX_INCLUDE_DIR)
    # only the nvtx3 headers are wanted, but they live in the toolkit's include folder: SYSTEM,
    # so their own warnings do not count against fedload's -Werror
    target_include_directories(fedload_nvtx_iface SYSTEM INTERFACE ${FEDLOAD_NVTX_INCLUDE_DIR})
    target_compile_definitions(fedload_nvtx_iface INTERFACE FEDLOAD_NVTX=1)
    set(FEDLOAD_HAVE_NVTX ON)
    target_link_libraries(fedload_nvtx_iface INTERFACE ${CMAKE_DL_LIBS})
    fedload_status("NVTX" ON "${FEDLOAD_NVTX_INCLUDE_DIR}/nvtx3, header-only")
  else()
    fedload_status("NVTX" OFF "nvtx3/nvToolsExt.h not found (CUDA toolkit headers); phases open no profiler ranges")
  endif()
else()
  fedload_status("NVTX" OFF "FEDLOAD_NVTX=OFF")
endif()
