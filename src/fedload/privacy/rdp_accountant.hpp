#pragma once
// RdpAccountant: Rényi differential privacy (RDP, Mironov 2017) of the Poisson-subsampled
// Gaussian mechanism (each record or client takes part in a step with probability q, its
// contribution is clipped to L2 norm C and N(0, (z C)^2) noise is added per coordinate), composed
// over steps by adding RDP order by order, and converted to an (ε, δ) guarantee.
//
// One step at order α is log(A_α) / (α - 1) with A_α = E_{x~N(0,z²)}[((1-q) + q e^{(2x-1)/(2z²)})^α]
// (Mironov, Talwar, Zhang 2019, "Rényi Differential Privacy of the Sampled Gaussian Mechanism"):
//   - integer α: the exact binomial sum A_α = Σ_k C(α,k) (1-q)^(α-k) q^k e^{(k²-k)/(2z²)},
//     added in log space (log-sum-exp), so α = 256 and q = 1e-6 neither overflow nor underflow;
//   - fractional α: the paper's two convergent series split at z0 = z² log(1/q - 1) + 1/2,
//     summed in log space until both terms fall below e^-30;
//   - q = 1: the plain Gaussian mechanism, α / (2 z²); q = 0: nothing is released, 0.
// Conversion to (ε, δ), minimised over the orders:
//   - kBalle2020 (default): ε = rdp + log((α-1)/α) - (log δ + log α)/(α-1) (Balle et al. 2020,
//     "Hypothesis testing interpretations and Rényi differential privacy", AISTATS; the same
//     bound is Prop. 12 of Canonne, Kamath, Steinke 2020, arXiv:2004.00010), what TF Privacy's
//     and Google's dp_accounting RdpAccountant use;
//   - kClassic: ε = rdp + log(1/δ)/(α-1) (Mironov 2017, Prop. 3), what older TF Privacy used.
// A negative ε from either formula is reported as 0 (an (ε<0, δ) guarantee implies (0, δ)).
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace fedload::privacy {

enum class RdpConversion {
  kBalle2020,  // tighter; the default
  kClassic,    // Mironov 2017
};
std::string_view conversion_name(RdpConversion c);

struct PrivacySpent {
  double epsilon = 0;  // for the δ asked for
  double order = 0;    // the order α that gave the smallest ε
  RdpConversion conversion = RdpConversion::kBalle2020;
};

// RDP of ONE step of the sampled Gaussian mechanism at order `order` (in (1, 100000]).
// InputError for q outside [0, 1], z not positive and finite, or a bad order.
double sampled_gaussian_rdp(double q, double z, double order);

// ε of an (order, rdp) pair at δ by one conversion, not clamped; InputError for δ outside (0, 1).
double epsilon_from_rdp(double order, double rdp, double delta, RdpConversion conversion);

class RdpAccountant {
 public:
  // The default orders: 1.25, 1.5, 1.75, 2.25, 2.5, 3.5, 4.5, every integer 2..64, 128, 256
  // (Google dp_accounting's grid without 512).
  RdpAccountant();
  // Own orders (each in (1, 100000]; an InputError names the first bad one). Integer orders use
  // the exact binomial sum, fractional ones the series.
  explicit RdpAccountant(std::vector<double> orders);
  static std::vector<double> default_orders();

  // Composes `steps` more steps with sampling rate q and noise multiplier z = σ/C; calls add
  // up, so rounds with different q or z compose. steps = 0 changes nothing.
  // InputError for q outside [0, 1], z not positive and finite, steps < 0.
  void add_steps(double q, double z, std::int64_t steps);

  // The smallest ε over the orders at this δ (InputError for δ outside (0, 1)).
  PrivacySpent epsilon(double delta, RdpConversion conversion = RdpConversion::kBalle2020) const;
  // What epsilon(delta) would be after add_steps(q, z, steps), leaving this accountant as it is
  // (e.g. to check a budget before a round).
  PrivacySpent epsilon_after(double q, double z, std::int64_t steps, double delta,
                             RdpConversion conversion = RdpConversion::kBalle2020) const;

  std::span<const double> orders() const { return orders_; }
  // The composed RDP, one value per order.
  std::span<const double> rdp() const { return rdp_; }
  std::int64_t steps() const { return steps_; }

 private:
  std::vector<double> step_rdp(double q, double z, std::int64_t steps) const;
  static PrivacySpent best(std::span<const double> orders, std::span<const double> rdp,
                           double delta, RdpConversion conversion);

  std::vector<double> orders_;
  std::vector<double> rdp_;
  std::int64_t steps_ = 0;
};

}  // namespace fedload::privacy
