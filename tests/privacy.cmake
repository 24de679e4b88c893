# privacy: the RDP accountant (published TF Privacy values, a numpy recomputation, properties)
# and the clipped Gaussian mechanism for one update. Fast (well under 3 s).
fedload_add_test(fedload_privacy_tests
  SOURCES
    unit/privacy_rdp_accountant_test.cpp
    unit/privacy_gaussian_update_test.cpp
  LIBS fedload::privacy
  LABELS unit
  TIMEOUT 60)
