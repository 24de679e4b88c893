#pragma once
// fl.aggregation = "paillier": the exact path's int64 fixed-point sum, computed on ciphertexts
// (the sharing platform's encrypted aggregation). The server (rank 0, which hosts no client)
// never holds the secret key, never sees an individual update in the clear and never decrypts:
//   set-up  rank 1 — a client host, the key authority — generates the key pair (he.keys = "os":
//           the OS CSPRNG; "seeded": from run.seed, reproducible and NOT secret, for
//           measuring), broadcasts the public key and hands the primes to the client-hosting
//           ranks 1.. only (scatter_bytes; rank 0 gets none);
//   round   each client's terms c_i Δ_i (encode_fixed at the round's exponent) are packed
//           (PackedEncoder) and encrypted on the rank that trained it; every client's ciphertexts
//           go to rank 0, which adds them homomorphically (one modular product per ciphertext,
//           never through a key holder); the encrypted sum goes to rank 1, which decrypts it and
//           returns the int64 sum to rank 0.
// The decrypted sum is the exact path's, so the model is bitwise the exact path's; what changes
// is the cost: encryption, ciphertext bytes on the wire, homomorphic additions, one decryption
// and two small transfers per round. Needs fl.server_hosts_clients = false and >= 2 ranks.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "fedload/app/federated_client.hpp"
#include "fedload/comm/transport.hpp"
#include "fedload/core/phase_timer.hpp"
#include "fedload/he/packed_encoder.hpp"
#include "fedload/he/paillier.hpp"
#include "fedload/he/random_source.hpp"

namespace fedload::app {

struct PaillierOptions {
  std::size_t key_bits = 2048;
  bool seeded = false;       // he.keys = "seeded" (reproducible, NOT secret)
  std::uint64_t seed = 0;    // run.seed
  std::uint32_t max_clients = 1;  // the run's clients: the most a round adds
};

// What a result file says about the encrypted aggregation (declare time: no key needed).
std::string describe_paillier(const PaillierOptions& o);

class PaillierRound {
 public:
  static constexpr int kKeyAuthority = 1;  // the rank that generates the key and decrypts the sums

  // Every rank calls it (a collective, timed as phase "setup"); a fedload::Error on a one-rank
  // transport (the server would have to hold the key).
  PaillierRound(comm::Transport& transport, const PaillierOptions& o, std::vector<PhaseSample>& phases);

  // The exact int64 sum over all ranks' clients of encode_fixed(c[i], updates[i].delta,
  // exponent) (params values each), into total on rank 0. Every rank calls it.
  void sum(std::vector<PhaseSample>& phases, std::int64_t round, const std::vector<double>& c, int exponent,
           std::size_t params, const std::vector<LocalUpdate>& updates, std::vector<std::int64_t>& total);

 private:
  comm::Transport& tr_;
  PaillierOptions o_;
  he::PackedEncoder encoder_;
  std::unique_ptr<he::PaillierPublicKey> public_;   // every rank
  std::unique_ptr<he::PaillierPrivateKey> key_;     // ranks >= 1 (the clients' side) only
  he::OsRandom os_random_;
  std::vector<std::int64_t> terms_;
};

}  // namespace fedload::app
