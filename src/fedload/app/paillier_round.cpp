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
      "{} bytes per ciphertext; rank {} holds and distributes the key to the client ranks, rank 0 adds "
      "ciphertexts only",
      o.key_bits, o.seeded ? "seeded from run.seed (reproducible, NOT secret)" : "from the OS CSPRNG", e.slots(),
      e.slot_bits(), o.max_clients, o.key_bits / 4, PaillierRound::kKeyAuthority);
}

PaillierRound::PaillierRound(comm::Transport& transport, const PaillierOptions& o, std::vector<PhaseSample>& phases)
    : tr_(transport), o_(o), encoder_(o.key_bits, o.max_clients) {
  if (tr_.size() < 2)
    throw_runtime_error("paillier aggregation needs at least 2 ranks: the server (rank 0) must not hold the key");
  TransportPhase t(phases, "setup", 0, tr_);
  std::vector<std::byte> n_bytes;
  std::vector<std::vector<std::byte>> primes;  // per rank, on the key authority
  if (tr_.rank() == kKeyAuthority) {
    std::unique_ptr<he::RandomSource> random;
    if (o_.seeded)
      random = std::make_unique<he::SeededRandom>(o_.seed, mix64(kKeyTag));
    else
      random = std::make_unique<he::OsRandom>();
    key_ = std::make_unique<he::PaillierPrivateKey>(he::generate_paillier_key(o_.key_bits, *random));
    const he::BigInt& n = key_->public_key().n();
    n_bytes = n.to_big_endian(n.byte_count());
    const auto mine = encode_primes(*key_);
    for (int r = 0; r < tr_.size(); ++r) primes.push_back(r == 0 ? std::vector<std::byte>{} : mine);
  }
  tr_.broadcast_bytes(n_bytes, kKeyAuthority);
  public_ = std::make_unique<he::PaillierPublicKey>(he::BigInt::from_big_endian(n_bytes));
  const auto my_primes = tr_.scatter_bytes(primes, kKeyAuthority);  // rank 0 gets nothing
  if (tr_.rank() > 0 && !key_) key_ = std::make_unique<he::PaillierPrivateKey>(decode_primes(my_primes));
}

void PaillierRound::sum(std::vector<PhaseSample>& phases, std::int64_t round, const std::vector<double>& c,
                        int exponent, std::size_t params, const std::vector<LocalUpdate>& updates,
                        std::vector<std::int64_t>& total) {
  const he::PaillierPublicKey& pub = *public_;
  std::vector<std::byte> mine;
  if (!updates.empty()) {
    if (!key_) throw_runtime_error("paillier aggregation: rank {} trained clients but holds no key", tr_.rank());
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
  // the server: one modular product per ciphertext of every client, in ciphertext space only
  std::vector<std::vector<std::byte>> to_authority;
  std::uint32_t clients = 0;
  if (tr_.rank() == 0) {
    PhaseTimer t(phases, "aggregate", round);
    const std::size_t per_client = encoder_.plaintexts_for(params);
    std::vector<he::PaillierCiphertext> acc;
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
    ByteWriter w;
    w.put(clients);
    w.put_vector(clients > 0 ? he::ciphertexts_to_bytes(pub, acc) : std::vector<std::byte>{});
    to_authority.assign(static_cast<std::size_t>(tr_.size()), {});
    to_authority[kKeyAuthority] = w.take();
  }
  // the key authority decrypts the sum and returns the integers
  std::vector<std::byte> encrypted, sums;
  {
    TransportPhase t(phases, "communicate", round, tr_);
    encrypted = tr_.scatter_bytes(to_authority, 0);
  }
  {
    if (tr_.rank() == kKeyAuthority) {
      PhaseTimer t(phases, "aggregate", round);
      ByteReader r(encrypted);
      const auto k = r.get<std::uint32_t>();
      const auto cts = he::ciphertexts_from_bytes(pub, r.get_vector<std::byte>());
      std::vector<std::int64_t> plain(params, 0);
      if (k > 0) he::decrypt_terms(encoder_, *key_, cts, k, plain);
      ByteWriter w;
      w.put_vector(plain);
      sums = w.take();
    }
  }
  std::vector<std::vector<std::byte>> back;
  {
    TransportPhase t(phases, "communicate", round, tr_);
    back = tr_.gather_bytes(sums, 0);
  }
  if (tr_.rank() != 0) return;
  ByteReader r(back.at(kKeyAuthority));
  total = r.get_vector<std::int64_t>();
  if (total.size() != params)
    throw_runtime_error("paillier aggregation: the key authority returned {} sums for {} parameters", total.size(),
                        params);
}

}  // namespace fedload::app
