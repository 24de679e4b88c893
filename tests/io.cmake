# io: the HDF5 result file (writer, reader, report, Python reader). Only with FEDLOAD_HDF5.
if(NOT FEDLOAD_HDF5)
  return()
endif()

fedload_add_test(fedload_io_tests
  SOURCES unit/io_result_file_test.cpp unit/io_report_test.cpp unit/io_python_reader_test.cpp
          unit/io_provenance_test.cpp
  LIBS fedload::io
  LABELS unit
  TIMEOUT 60)

# a run that never ends: creates a result file and appends rows until it is killed.
add_executable(fedload_io_kill_probe integration/io_kill_probe.cpp)
target_link_libraries(fedload_io_kill_probe PRIVATE fedload::io fedload_warnings)

fedload_add_test(fedload_io_kill_tests
  SOURCES integration/io_kill_test.cpp
  LIBS fedload::io
  LABELS integration
  TIMEOUT 60)
# HDF5's own tools (Debian: hdf5-tools) check that a killed file is a valid HDF5 file after
# `h5clear -s`; without them that part of the test says it was skipped.
find_program(FEDLOAD_H5CLEAR h5clear)
find_program(FEDLOAD_H5DUMP h5dump)
if(NOT FEDLOAD_H5CLEAR OR NOT FEDLOAD_H5DUMP)
  set(FEDLOAD_H5CLEAR "")
  set(FEDLOAD_H5DUMP "")
endif()
target_compile_definitions(fedload_io_kill_tests PRIVATE
  FEDLOAD_IO_KILL_PROBE="$<TARGET_FILE:fedload_io_kill_probe>"
  FEDLOAD_H5CLEAR="${FEDLOAD_H5CLEAR}" FEDLOAD_H5DUMP="${FEDLOAD_H5DUMP}")
add_dependencies(fedload_io_kill_tests fedload_io_kill_probe)
