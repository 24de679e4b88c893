#pragma once
// Shared by the he tests: one seeded 1024-bit key per test process (reproducible, insecure:
// tests only) and helpers that return the message of the error a call throws.
#include <gtest/gtest.h>

#include <string>

#include "fedload/core/error.hpp"
#include "fedload/he/paillier.hpp"
#include "fedload/he/random_source.hpp"

namespace fedload::he::test {

inline const PaillierPrivateKey& seeded_key_1024() {
  static const PaillierPrivateKey key = [] {
    SeededRandom random(20240601, 0);
    return generate_paillier_key(1024, random);
  }();
  return key;
}

// The message of the fedload::Error of `kind` that f throws; a test failure if it throws none.
template <typename F>
std::string error_message(ErrorKind kind, F&& f) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(static_cast<int>(e.kind()), static_cast<int>(kind)) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "expected a fedload::Error";
  return "";
}

template <typename F>
std::string input_error(F&& f) { return error_message(ErrorKind::kInput, std::forward<F>(f)); }
template <typename F>
std::string runtime_error(F&& f) { return error_message(ErrorKind::kRuntime, std::forward<F>(f)); }

inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace fedload::he::test
