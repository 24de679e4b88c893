# fedload_bench_he: Paillier key generation, encryption, addition, decryption (CRT and not) per
# ciphertext and per packed int64 value, and one encrypted round of K clients against the plain sum.
add_executable(fedload_bench_he ${CMAKE_CURRENT_LIST_DIR}/bench_he.cpp)
target_link_libraries(fedload_bench_he PRIVATE fedload::he benchmark::benchmark fedload_warnings)
