#include "fedload/app/paillier_round.hpp"

#include <span>

#include <fmt/format.h>

#include "fedload/app/transport_phase.hpp"
#include "fedload/core/bytes.hpp"
#include "fedload/core/error.hpp"
#include "fedload/core/rng.hpp"
#include "fedload/fl/exact_sum.hpp"
#include "fedload/he/ciphertext_bytes.hpp"
#include "fedload/he/encrypted_terms.hpp"

namespace fedload::app {
namespace {

constexpr std::uint64_t kKeyTag = 0x7061696c6c6b6579ULL;    // "paillkey"
constexpr std::uint64_t kNonceTag = 0x7061696c6e6f6e63ULL;  // "paillnonc"

std::vector<std::byte> encode_primes(const he::PaillierPrivateKey& key) {
  ByteWriter w;
  w.put_vector(key.p().to_big_endian(key.p().byte_count()));
  w.put_vector(key.q().to_big_endian(key.q().byte_count()));
  return w.take();
}

he::PaillierPrivateKey decode_primes(std::span<const std::byte> bytes) {
  ByteReader r(bytes);
  const auto p = r.get_vector<std::byte>();
  const auto q = r.get_vector<std::byte>();
  return he::PaillierPrivateKey::from_primes(he::BigInt::from_big_endian(p), he::BigInt::from_big_endian(q));
}

}  // namespace

std::string describe_paillier(const PaillierOptions& o) {
  const he::PackedEncoder e(o.key_bits, o.max_clients);
  return fmt::format(
      "Paillier, {}-bit n, keys {}; {} int64 terms per plaintext ({}-bit slots for up to {} clients), "
      "{} bytes per ciphertext",
      o.key_bits, o.seeded ? "seeded from run.seed (reproducible, NOT secret)" : "from the OS CSPRNG", e.slots(),
      e.slot_bits(), o.max_clients, o.key_bits / 4);
}

PaillierRound::PaillierRound(comm::Transport& transport, const PaillierOptions& o, std::vector<PhaseSample>& phases)
    : tr_(transport), o_(o), encoder_(o.key_bits, o.max_clients) {
  TransportPhase t(phases, "setup", 0, tr_);
  std::vector<std::byte> primes;
  if (tr_.rank() == 0) {
    std::unique_ptr<he::RandomSource> random;
    if (o_.seeded)
      random = std::make_unique<he::SeededRandom>(o_.seed, mix64(kKeyTag));
    else
      random = std::make_unique<he::OsRandom>();
    key_ = std::make_unique<he::PaillierPrivateKey>(he::generate_paillier_key(o_.key_bits, *random));
    primes = encode_primes(*key_);
  }
  tr_.broadcast_bytes(primes, 0);
  if (tr_.rank() != 0) key_ = std::make_unique<he::PaillierPrivateKey>(decode_primes(primes));
}

void PaillierRound::sum(std::vector<PhaseSample>& phases, std::int64_t round, const std::vector<double>& c,
                        int exponent, std::size_t params, const std::vector<LocalUpdate>& updates,
                        std::vector<std::int64_t>& total) {
  const he::PaillierPublicKey& pub = key_->public_key();
  std::vector<std::byte> mine;
  {
    PhaseTimer t(phases, "update_transform", round);
    terms_.resize(params);
    for (std::size_t i = 0; i < updates.size(); ++i) {
      fl::encode_fixed(c[i], updates[i].delta, exponent, terms_);
      const auto client = static_cast<std::uint64_t>(updates[i].report.client);
      const auto cts = [&] {
        if (!o_.seeded) return he::encrypt_terms(encoder_, *key_, terms_, os_random_);
        he::SeededRandom nonces(o_.seed, mix64(kNonceTag ^ (client << 32) ^ static_cast<std::uint64_t>(round)));
        return he::encrypt_terms(encoder_, *key_, terms_, nonces);
      }();
      const auto bytes = he::ciphertexts_to_bytes(pub, cts);
      mine.insert(mine.end(), bytes.begin(), bytes.end());
    }
  }
  std::vector<std::vector<std::byte>> all;
  {
    TransportPhase t(phases, "communicate", round, tr_);
    all = tr_.gather_bytes(mine, 0);
  }
  if (tr_.rank() != 0) return;
  PhaseTimer t(phases, "aggregate", round);
  // the server's work: one modular product per ciphertext of every client, then one decryption
  const std::size_t per_client = encoder_.plaintexts_for(params);
  std::vector<he::PaillierCiphertext> acc;
  std::uint32_t clients = 0;
  for (const auto& from_rank : all) {
    auto cts = he::ciphertexts_from_bytes(pub, from_rank);
    if (cts.size() % per_client != 0)
      throw_runtime_error("paillier aggregation: a rank sent {} ciphertexts, not a multiple of {} per client",
                          cts.size(), per_client);
    for (std::size_t at = 0; at < cts.size(); at += per_client, ++clients) {
      const std::span<const he::PaillierCiphertext> one(cts.data() + at, per_client);
      if (clients == 0)
        acc.assign(one.begin(), one.end());
      else
        he::add_terms(pub, acc, one);
    }
  }
  total.assign(params, 0);
  if (clients > 0) he::decrypt_terms(encoder_, *key_, acc, clients, total);
}

}  // namespace fedload::app
