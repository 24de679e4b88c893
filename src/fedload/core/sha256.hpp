#pragma once
// SHA-256 (FIPS 180-4) for model fingerprints and the provenance chain.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace fedload {

// a SHA-256 value as its 32 bytes; hash chains feed these bytes, never the hex text, to the next hash
using Sha256Digest = std::array<std::uint8_t, 32>;

class Sha256 {
 public:
  Sha256();
  void update(const void* data, std::size_t n);
  Sha256Digest digest();  // finalizes; the object must not be updated after
  std::string hex_digest();

 private:
  void block(const std::uint8_t* p);
  std::array<std::uint32_t, 8> h_;
  std::array<std::uint8_t, 64> buf_{};
  std::size_t buf_len_ = 0;
  std::uint64_t total_ = 0;
};

std::string sha256_hex(const void* data, std::size_t n);
Sha256Digest sha256_digest(const void* data, std::size_t n);
std::string to_hex(const Sha256Digest& digest);  // 64 lowercase hex digits
inline std::string sha256_hex(std::string_view s) { return sha256_hex(s.data(), s.size()); }

}  // namespace fedload
