#pragma once
// One client's int64 terms through Paillier, in the three steps of an encrypted round:
//   client    encrypt_terms(encoder, key, terms, random)  -> ciphertexts (to bytes, send)
//   any rank  add_terms(public_key, acc, ciphertexts)     -> acc holds the encrypted sum
//   key owner decrypt_terms(encoder, private_key, acc, K, out) -> out = exact int64 sum
// The sum is bitwise the plain int64 sum of the K clients' terms whenever that fits int64
// (PackedEncoder's contract), so an encrypted aggregation can match the exact path's result.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "fedload/he/packed_encoder.hpp"
#include "fedload/he/paillier.hpp"

namespace fedload::he {

// encoder.plaintexts_for(terms.size()) ciphertexts. With the private key the nonce's part is
// computed by the CRT (PaillierPrivateKey::encrypt: about 3.5x faster at 2048 bits, the same
// distribution of ciphertexts).
std::vector<PaillierCiphertext> encrypt_terms(const PackedEncoder& encoder, const PaillierPublicKey& key,
                                              std::span<const std::int64_t> terms, RandomSource& random);
std::vector<PaillierCiphertext> encrypt_terms(const PackedEncoder& encoder, const PaillierPrivateKey& key,
                                              std::span<const std::int64_t> terms, RandomSource& random);

// acc[i] = acc[i] * c[i] mod n^2; a fedload::Error if the lengths differ.
void add_terms(const PaillierPublicKey& key, std::span<PaillierCiphertext> acc, std::span<const PaillierCiphertext> c);

// out = the exact int64 sums of the `clients` encrypted vectors whose product is `sum`
// (PackedEncoder::decode's errors apply).
void decrypt_terms(const PackedEncoder& encoder, const PaillierPrivateKey& key, std::span<const PaillierCiphertext> sum,
                   std::uint32_t clients, std::span<std::int64_t> out);

}  // namespace fedload::he
