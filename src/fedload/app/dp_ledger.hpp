#pragma once
// Local DP's privacy ledger (dp.mode = "local"). Each selected client clips its update to L2 <= C
// and adds N(0, (z C)^2) noise before it leaves the client, so every participation is one
// Gaussian mechanism on that client's data with sensitivity C. The server sees who took part, so
// sampling does not amplify: a participation is accounted with q = 1, and a client's ε after m
// participations is that of m composed Gaussian mechanisms (RDP, Balle et al. 2020 conversion).
// The ledger reports the client that released most: the run's guarantee holds for every client.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fedload/privacy/rdp_accountant.hpp"

namespace fedload::app {

class LocalDpLedger {
 public:
  // InputError for noise_multiplier <= 0 (local DP without noise has no ε) or delta outside (0, 1).
  LocalDpLedger(std::size_t clients, double noise_multiplier, double delta);
  // One round's selected clients (ids < clients).
  void record(const std::vector<std::int64_t>& selected);
  std::int64_t most_releases() const { return most_; }
  // ε at delta of the client with most releases (0 before any release), and the order that gave it.
  privacy::PrivacySpent spent() const;
  double noise_multiplier() const { return z_; }
  double delta() const { return delta_; }

 private:
  std::vector<std::int64_t> releases_;
  std::int64_t most_ = 0;
  double z_, delta_;
};

}  // namespace fedload::app
