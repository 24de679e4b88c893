#pragma once
// BigInt: an owning RAII wrapper around one GMP integer (mpz_t). It keeps the arithmetic in
// GMP's C API (callers use get() / mut() with mpz_* functions) and only adds what GMP lacks
// in C++: construction, copy, move, destruction, comparison, and fixed-width big-endian bytes.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <gmp.h>

namespace fedload::he {

class BigInt {
 public:
  BigInt() { mpz_init(v_); }
  explicit BigInt(std::uint64_t x);
  // Decimal or, with a 0x prefix, hexadecimal digits; a fedload::InputError naming the text
  // if it is not a number.
  static BigInt from_string(std::string_view text);
  BigInt(const BigInt& other) { mpz_init_set(v_, other.v_); }
  BigInt(BigInt&& other) noexcept { mpz_init(v_); mpz_swap(v_, other.v_); }
  BigInt& operator=(const BigInt& other) {
    if (this != &other) mpz_set(v_, other.v_);
    return *this;
  }
  BigInt& operator=(BigInt&& other) noexcept {
    mpz_swap(v_, other.v_);
    return *this;
  }
  ~BigInt() { mpz_clear(v_); }

  const __mpz_struct* get() const { return v_; }
  __mpz_struct* mut() { return v_; }

  // Bits of |x| (0 for 0).
  std::size_t bits() const { return mpz_sgn(v_) == 0 ? 0 : mpz_sizeinbase(v_, 2); }
  // Bytes of |x| (0 for 0).
  std::size_t byte_count() const { return (bits() + 7) / 8; }
  bool is_zero() const { return mpz_sgn(v_) == 0; }
  std::string to_string(int base = 10) const;
  // The low 64 bits of |x|.
  std::uint64_t low_u64() const;

  // |x| as exactly `width` big-endian bytes into out (out.size() == width), leading zeros
  // first; a fedload::Error if x is negative or needs more than `width` bytes.
  void write_big_endian(std::span<std::byte> out) const;
  std::vector<std::byte> to_big_endian(std::size_t width) const;
  // The non-negative integer whose big-endian bytes these are.
  static BigInt from_big_endian(std::span<const std::byte> bytes);

  friend int compare(const BigInt& a, const BigInt& b) { return mpz_cmp(a.v_, b.v_); }
  friend bool operator==(const BigInt& a, const BigInt& b) { return mpz_cmp(a.v_, b.v_) == 0; }
  friend bool operator<(const BigInt& a, const BigInt& b) { return mpz_cmp(a.v_, b.v_) < 0; }

 private:
  mpz_t v_;
};

}  // namespace fedload::he
