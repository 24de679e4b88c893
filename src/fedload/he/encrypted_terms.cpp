#include "fedload/he/encrypted_terms.hpp"

#include "fedload/core/error.hpp"
#include "fedload/core/stall_watchdog.hpp"

namespace fedload::he {

namespace {

template <typename Key>
std::vector<PaillierCiphertext> encrypt_all(const PackedEncoder& encoder, const Key& key,
                                            std::span<const std::int64_t> terms, RandomSource& random) {
  const std::vector<BigInt> plain = encoder.encode(terms);
  std::vector<PaillierCiphertext> out;
  out.reserve(plain.size());
  for (const BigInt& m : plain) {
    out.push_back(key.encrypt(m, random));
    note_heartbeat();  // milliseconds each: long encryptions are progress for the StallWatchdog
  }
  return out;
}

}  // namespace

std::vector<PaillierCiphertext> encrypt_terms(const PackedEncoder& encoder, const PaillierPublicKey& key,
                                              std::span<const std::int64_t> terms, RandomSource& random) {
  return encrypt_all(encoder, key, terms, random);
}

std::vector<PaillierCiphertext> encrypt_terms(const PackedEncoder& encoder, const PaillierPrivateKey& key,
                                              std::span<const std::int64_t> terms, RandomSource& random) {
  return encrypt_all(encoder, key, terms, random);
}

void add_terms(const PaillierPublicKey& key, std::span<PaillierCiphertext> acc, std::span<const PaillierCiphertext> c) {
  if (acc.size() != c.size()) {
    throw_runtime_error("add_terms: {} ciphertexts in the sum, {} in the addend", acc.size(), c.size());
  }
  for (std::size_t i = 0; i < acc.size(); ++i) key.add_to(acc[i], c[i]);
  note_heartbeat();
}

void decrypt_terms(const PackedEncoder& encoder, const PaillierPrivateKey& key, std::span<const PaillierCiphertext> sum,
                   std::uint32_t clients, std::span<std::int64_t> out) {
  if (sum.size() != encoder.plaintexts_for(out.size())) {
    throw_runtime_error("decrypt_terms: {} values need {} ciphertexts, got {}", out.size(),
                        encoder.plaintexts_for(out.size()), sum.size());
  }
  std::vector<BigInt> plain;
  plain.reserve(sum.size());
  for (const PaillierCiphertext& c : sum) {
    plain.push_back(key.decrypt(c));
    note_heartbeat();
  }
  encoder.decode(plain, clients, out);
}

}  // namespace fedload::he
