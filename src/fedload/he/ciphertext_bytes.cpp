#include "fedload/he/ciphertext_bytes.hpp"

#include "fedload/core/error.hpp"

namespace fedload::he {

void write_ciphertexts(const PaillierPublicKey& key, std::span<const PaillierCiphertext> cs, std::span<std::byte> out) {
  const std::size_t width = key.ciphertext_bytes();
  if (out.size() != cs.size() * width) {
    throw_runtime_error("write_ciphertexts: {} ciphertexts need {} bytes, the buffer has {}", cs.size(), cs.size() * width,
                        out.size());
  }
  for (std::size_t i = 0; i < cs.size(); ++i) {
    key.check_ciphertext(cs[i]);
    cs[i].value.write_big_endian(out.subspan(i * width, width));
  }
}

std::vector<std::byte> ciphertexts_to_bytes(const PaillierPublicKey& key, std::span<const PaillierCiphertext> cs) {
  std::vector<std::byte> out(cs.size() * key.ciphertext_bytes());
  write_ciphertexts(key, cs, out);
  return out;
}

std::vector<PaillierCiphertext> ciphertexts_from_bytes(const PaillierPublicKey& key, std::span<const std::byte> bytes) {
  const std::size_t width = key.ciphertext_bytes();
  if (bytes.size() % width != 0) {
    throw_runtime_error("ciphertexts_from_bytes: {} bytes is not a whole number of {}-byte ciphertexts ({}-bit key)",
                        bytes.size(), width, key.modulus_bits());
  }
  std::vector<PaillierCiphertext> out(bytes.size() / width);
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i].value = BigInt::from_big_endian(bytes.subspan(i * width, width));
    if (out[i].value.is_zero() || compare(out[i].value, key.n_squared()) >= 0) {
      throw_runtime_error("ciphertexts_from_bytes: ciphertext {} of {} is {}, not in [1, n^2) for this {}-bit key", i,
                          out.size(), out[i].value.is_zero() ? "0" : "too large", key.modulus_bits());
    }
  }
  return out;
}

}  // namespace fedload::he
