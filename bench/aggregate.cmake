# fedload_bench_aggregate: fedload's two aggregation paths (exact int64 fixed point, float32) through
# the Transport against raw MPI_Reduce/MPI_Bcast in the same run. An MPI program of its own
# (max-over-ranks times, one printing rank), not Google Benchmark; only with FEDLOAD_MPI.
if(FEDLOAD_MPI)
  add_executable(fedload_bench_aggregate ${CMAKE_CURRENT_LIST_DIR}/bench_aggregate.cpp)
  target_link_libraries(fedload_bench_aggregate PRIVATE fedload::comm fedload::fl fedload_warnings)
endif()
