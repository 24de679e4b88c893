# The git commit is read at build time (not only at configure time) into a generated header.
set(FEDLOAD_VERSION_HEADER "${CMAKE_BINARY_DIR}/generated/fedload/core/build_info.hpp")
add_custom_target(fedload_build_info
  COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${CMAKE_SOURCE_DIR} -DOUTPUT=${FEDLOAD_VERSION_HEADER}
          -DVERSION=${PROJECT_VERSION} -DBUILD_TYPE=${CMAKE_BUILD_TYPE}
          -P ${CMAKE_SOURCE_DIR}/cmake/WriteBuildInfo.cmake
  BYPRODUCTS ${FEDLOAD_VERSION_HEADER}
  COMMENT "fedload build info")
