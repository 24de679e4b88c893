# fedload_bench_lstm: training-step time of every registered forecaster backend. Links only the
# kernels library so it builds on GPU machines without MPI or HDF5.
add_executable(fedload_bench_lstm ${CMAKE_CURRENT_LIST_DIR}/bench_lstm.cpp)
target_link_libraries(fedload_bench_lstm PRIVATE fedload::kernels benchmark::benchmark fedload_warnings)
