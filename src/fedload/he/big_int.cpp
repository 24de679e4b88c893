#include "fedload/he/big_int.hpp"

#include <string>

#include "fedload/core/error.hpp"

namespace fedload::he {

BigInt::BigInt(std::uint64_t x) {
  // mpz_init_set_ui takes an unsigned long, which is 64 bits on every platform fedload builds on
  // (LP64); import keeps it exact anywhere.
  mpz_init(v_);
  mpz_import(v_, 1, -1, sizeof x, 0, 0, &x);
}

BigInt BigInt::from_string(std::string_view text) {
  BigInt out;
  std::string s(text);
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    s = s.substr(2);
    base = 16;
  }
  if (s.empty() || mpz_set_str(out.v_, s.c_str(), base) != 0) {
    throw_input_error("not an integer: '{}'", text);
  }
  return out;
}

std::string BigInt::to_string(int base) const {
  std::string s(mpz_sizeinbase(v_, base) + 2, '\0');
  mpz_get_str(s.data(), base, v_);
  s.resize(std::char_traits<char>::length(s.c_str()));
  return s;
}

std::uint64_t BigInt::low_u64() const {
  std::uint64_t low = 0;
  if (mpz_sgn(v_) == 0) return 0;
  // mpz_getlimbn(v, 0) is the least significant limb (64 bits on LP64 builds).
  static_assert(sizeof(mp_limb_t) == sizeof(std::uint64_t), "fedload::he assumes 64-bit GMP limbs");
  low = mpz_getlimbn(v_, 0);
  return low;
}

void BigInt::write_big_endian(std::span<std::byte> out) const {
  if (mpz_sgn(v_) < 0) throw_runtime_error("BigInt::write_big_endian: negative value");
  const std::size_t need = byte_count();
  if (need > out.size()) {
    throw_runtime_error("BigInt::write_big_endian: value needs {} bytes, field has {}", need, out.size());
  }
  const std::size_t pad = out.size() - need;
  for (std::size_t i = 0; i < pad; ++i) out[i] = std::byte{0};
  if (need == 0) return;
  std::size_t written = 0;
  mpz_export(out.data() + pad, &written, 1, 1, 1, 0, v_);
  if (written != need) throw_runtime_error("BigInt::write_big_endian: GMP wrote {} bytes, expected {}", written, need);
}

std::vector<std::byte> BigInt::to_big_endian(std::size_t width) const {
  std::vector<std::byte> out(width);
  write_big_endian(out);
  return out;
}

BigInt BigInt::from_big_endian(std::span<const std::byte> bytes) {
  BigInt out;
  if (!bytes.empty()) mpz_import(out.v_, bytes.size(), 1, 1, 1, 0, bytes.data());
  return out;
}

}  // namespace fedload::he
