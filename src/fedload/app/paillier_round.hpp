#pragma once
// fl.aggregation = "paillier": the exact path's int64 fixed-point sum, computed on ciphertexts
// (the sharing platform's encrypted aggregation). Each client's terms c_i Δ_i (encode_fixed at
// the round's exponent) are packed (PackedEncoder) and Paillier-encrypted on the rank that
// trained it; every client's ciphertexts go to rank 0, which adds them homomorphically (one
// modular product per ciphertext) and decrypts the sum. The decrypted int64 sum is the exact
// path's, so the model is bitwise the exact path's; what changes is the cost: encryption,
// ciphertext bytes on the wire, homomorphic additions, one decryption per round.
//
// Keys: rank 0 generates the key pair (he.keys = "seeded": from run.seed, reproducible and NOT
// secret; "os": the operating system's CSPRNG) and sends its primes to every rank at set-up,
// standing in for the key distribution to the clients, who hold the key. Rank 0 decrypts the
// sum, standing in for a key-holding client (in the platform the aggregator never holds it);
// the cost is the same one decryption. Nonces: seeded from (seed, client, round), or the OS.
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
  bool seeded = true;        // he.keys = "seeded"
  std::uint64_t seed = 0;    // run.seed
  std::uint32_t max_clients = 1;  // the run's clients: the most a round adds
};

// What a result file says about the encrypted aggregation (declare time: no key needed).
std::string describe_paillier(const PaillierOptions& o);

class PaillierRound {
 public:
  // Every rank calls it (a collective: rank 0 generates the key and broadcasts it), timed as
  // phase "setup".
  PaillierRound(comm::Transport& transport, const PaillierOptions& o, std::vector<PhaseSample>& phases);

  // The exact int64 sum over all ranks' clients of encode_fixed(c[i], updates[i].delta,
  // exponent) (params values each), into total on rank 0. Every rank calls it.
  void sum(std::vector<PhaseSample>& phases, std::int64_t round, const std::vector<double>& c, int exponent,
           std::size_t params, const std::vector<LocalUpdate>& updates, std::vector<std::int64_t>& total);

 private:
  comm::Transport& tr_;
  PaillierOptions o_;
  he::PackedEncoder encoder_;
  std::unique_ptr<he::PaillierPrivateKey> key_;
  he::OsRandom os_random_;
  std::vector<std::int64_t> terms_;
};

}  // namespace fedload::app
