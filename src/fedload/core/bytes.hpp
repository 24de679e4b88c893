#pragma once
// Flat byte records for messages between ranks: trivially copyable values and vectors of them,
// appended in order and read back in the same order. Both ends run the same binary, so the
// host's byte order and sizes are the wire format.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "fedload/core/error.hpp"

namespace fedload {

class ByteWriter {
 public:
  template <typename T>
  ByteWriter& put(const T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    append(&v, sizeof v);
    return *this;
  }
  template <typename T>
  ByteWriter& put_vector(std::span<const T> v) {
    static_assert(std::is_trivially_copyable_v<T>);
    put(static_cast<std::uint64_t>(v.size()));
    append(v.data(), v.size_bytes());
    return *this;
  }
  template <typename T>
  ByteWriter& put_vector(const std::vector<T>& v) { return put_vector(std::span<const T>(v)); }
  ByteWriter& put_string(const std::string& s) { return put_vector(std::span<const char>(s.data(), s.size())); }

  const std::vector<std::byte>& bytes() const { return bytes_; }
  std::vector<std::byte> take() { return std::move(bytes_); }

 private:
  void append(const void* p, std::size_t n) {
    const auto* b = static_cast<const std::byte*>(p);
    bytes_.insert(bytes_.end(), b, b + n);
  }
  std::vector<std::byte> bytes_;
};

class ByteReader {
 public:
  explicit ByteReader(std::span<const std::byte> bytes) : bytes_(bytes) {}
  template <typename T>
  T get() {
    static_assert(std::is_trivially_copyable_v<T>);
    T v;
    copy(&v, sizeof v);
    return v;
  }
  template <typename T>
  std::vector<T> get_vector() {
    const auto n = get<std::uint64_t>();
    if (n > (bytes_.size() - at_) / (sizeof(T) ? sizeof(T) : 1))
      throw_runtime_error("message from another rank is truncated ({} elements announced)", n);
    std::vector<T> v(static_cast<std::size_t>(n));
    copy(v.data(), v.size() * sizeof(T));
    return v;
  }
  std::string get_string() {
    const auto v = get_vector<char>();
    return {v.begin(), v.end()};
  }
  bool done() const { return at_ == bytes_.size(); }

 private:
  void copy(void* p, std::size_t n) {
    if (n > bytes_.size() - at_) throw_runtime_error("message from another rank is truncated");
    std::memcpy(p, bytes_.data() + at_, n);
    at_ += n;
  }
  std::span<const std::byte> bytes_;
  std::size_t at_ = 0;
};

}  // namespace fedload
