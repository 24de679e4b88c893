# he: Paillier keys, encryption and CRT decryption, packed int64 sums, ciphertext bytes; an
# encrypted sum of fl::encode_fixed terms equals the exact path's. 1024-bit seeded keys (one
# 2048-bit OS-random key), fast.
fedload_add_test(fedload_he_tests
  SOURCES
    unit/he_paillier_test.cpp
    unit/he_packing_test.cpp
    unit/he_bytes_test.cpp
  LIBS fedload::he fedload::fl
  LABELS unit
  TIMEOUT 60)
