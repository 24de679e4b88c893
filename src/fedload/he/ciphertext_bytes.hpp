#pragma once
// Ciphertexts as bytes, for the Transport's opaque byte payloads.
//
// Format: ciphertexts back to back, no header; each exactly key.ciphertext_bytes() bytes
// (= ceil(bits(n^2) / 8): 256 for a 1024-bit n, 512 for 2048, 768 for 3072), the value as an
// unsigned big-endian integer, zero-padded on the left. The count is length / width, so the
// receiver must know the key (it has to anyway, to add or decrypt).
#include <cstddef>
#include <span>
#include <vector>

#include "fedload/he/paillier.hpp"

namespace fedload::he {

std::vector<std::byte> ciphertexts_to_bytes(const PaillierPublicKey& key, std::span<const PaillierCiphertext> cs);
// Writes exactly cs.size() * key.ciphertext_bytes() bytes into out (a fedload::Error otherwise).
void write_ciphertexts(const PaillierPublicKey& key, std::span<const PaillierCiphertext> cs, std::span<std::byte> out);

// The ciphertexts in `bytes`; a fedload::Error if the length is not a multiple of
// key.ciphertext_bytes() or a value is 0 or >= n^2 (naming the ciphertext's index).
std::vector<PaillierCiphertext> ciphertexts_from_bytes(const PaillierPublicKey& key, std::span<const std::byte> bytes);

}  // namespace fedload::he
