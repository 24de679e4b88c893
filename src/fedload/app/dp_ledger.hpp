#pragma once
// Client-level differential privacy of a federated run ([dp]): what each mode releases and what
// the RDP accountant (Balle et al. 2020 conversion) makes of it.
//   local    each selected client clips its update to L2 <= C and adds N(0, (z C)^2) noise per
//            coordinate before it leaves the client: every participation is one Gaussian
//            mechanism on that client's data, with sensitivity 2C (replacing the client's data
//            can move its clipped update across the whole ball), so it is accounted with noise
//            multiplier z/2. The server sees who took part, so sampling does not amplify (q = 1
//            per participation); the ledger reports the client that released most, and the
//            run's guarantee holds for every client.
//   central  clients clip (no noise); the server sums with the fixed denominator D = q N
//            (strategy mean) and adds N(0, (z C server_lr / D)^2) once per coordinate to the new
//            model: one step of the subsampled Gaussian mechanism per round for every client.
//            Poisson (fl.selection = "poisson", q = fl.rate; "all" is q = 1): adding or removing
//            one client moves the sum by at most C (scaled), the add/remove adjacency of
//            DP-FedAvg: noise multiplier z. Without replacement (fl.selection = "fixed", K of N,
//            q = K/N, D = K): the bound is for replacing one client's data (N public), which
//            moves its clipped update by up to 2C, the mean by 2 C server_lr / K: z/2, with the
//            Wang-Balle-Kasiviswanathan bound (privacy/rdp_accountant.hpp).
// Noise is drawn from a per-process secret seed from the OS (dp.noise = "os", the default), or
// from run.seed (dp.noise = "seeded": reproducible, and anyone holding the result file, which
// stores the seed, can regenerate and subtract it: NOT private, for measuring only).
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "fedload/privacy/rdp_accountant.hpp"

namespace fedload::app {

enum class DpMode { kLocal, kCentral };

class DpLedger {
 public:
  // InputError for noise_multiplier <= 0 (no noise, no guarantee to account), delta outside
  // (0, 1) or, central, q outside (0, 1]. `sampling` is how central rounds draw clients.
  DpLedger(DpMode mode, std::size_t clients, double noise_multiplier, double delta, double q = 1.0,
           privacy::Sampling sampling = privacy::Sampling::kPoisson);
  // One round's selected clients (ids < clients).
  void record(const std::vector<std::int64_t>& selected);
  // ε at delta so far (0 before any release) and the order that gave it.
  privacy::PrivacySpent spent() const;
  // local: most releases of one client; central: rounds accounted.
  std::int64_t releases() const { return most_; }
  DpMode mode() const { return mode_; }
  double delta() const { return delta_; }

 private:
  DpMode mode_;
  std::vector<std::int64_t> releases_;
  std::int64_t most_ = 0;
  double z_, delta_, q_;
  privacy::Sampling sampling_;
};

// central: global[j] += N(0, sigma^2) from CounterRng(seed, a stream of the round), on the server.
void add_central_noise(std::span<float> global, double sigma, std::uint64_t seed, std::int64_t round);

}  // namespace fedload::app
