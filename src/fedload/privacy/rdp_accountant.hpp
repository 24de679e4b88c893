#pragma once
// RdpAccountant: Rényi differential privacy (RDP, Mironov 2017) of the subsampled Gaussian
// mechanism, Poisson (below) or a fixed K without replacement (further down). Poisson: each
// record or client takes part in a step with probability q, its
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
//
// Sampling::kWithoutReplacement accounts a step that draws exactly K of N records (clients)
// uniformly without replacement, γ = K/N, for the replace-one (substitution) neighbouring
// relation with N public: the general upper bound of Wang, Balle, Kasiviswanathan, "Subsampled
// Rényi Differential Privacy and Analytical Moments Accountant", AISTATS 2019, Theorem 9, for
// integer orders α >= 2, applied to the Gaussian mechanism's RDP ε(j) = j/(2z²) (ε(∞) = ∞, so
// its min{2, (e^{ε(∞)}-1)^j} factors are 2):
//   A_α = 1 + γ² C(α,2) min{4 (e^{ε(2)} - 1), 2 e^{ε(2)}} + Σ_{j=3..α} 2 γ^j C(α,j) e^{(j-1) ε(j)},
//   RDP = min(log(A_α) / (α - 1), α/(2z²)),
// summed in log space like the Poisson binomial sum. The min with the plain Gaussian holds
// because the subsampled output is a mixture, over the drawn subset, of pairs that are equal
// or replace-one neighbours, and Rényi divergence is jointly quasi-convex (van Erven and
// Harremoës 2014, Theorem 13); it keeps the bound monotone in γ up to γ = 1, where it is the
// plain Gaussian. The bound holds for integer orders only: a fractional order's RDP is +inf
// (never the minimising order). For the Gaussian, Google's dp_accounting (and TF Privacy's
// compute_rdp_sample_without_replacement) use a strengthened form (the paper's arXiv
// version, Theorem 27: forward differences of e^{(j-1)ε(j)} in place of 2 e^{(j-1)ε(j)} for
// j >= 3, up to α = 256) and interpolate fractional orders; this is the general bound, never
// below theirs for γ < 1 before the min.
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

// How the records (clients) of one step are drawn, and the neighbouring relation accounted.
enum class Sampling {
  kPoisson,             // each independently with probability q; add/remove-one neighbours
  kWithoutReplacement,  // exactly K = qN uniformly without replacement; replace-one neighbours
};
std::string_view sampling_name(Sampling s);

struct PrivacySpent {
  double epsilon = 0;  // for the δ asked for
  double order = 0;    // the order α that gave the smallest ε
  RdpConversion conversion = RdpConversion::kBalle2020;
};

// RDP of ONE step of the sampled Gaussian mechanism at order `order` (in (1, 100000]).
// InputError for q outside [0, 1], z not positive and finite, or a bad order.
double sampled_gaussian_rdp(double q, double z, double order);

// RDP of ONE step of the Gaussian mechanism (noise multiplier z, i.e. noise σ = z times the
// replace-one sensitivity) on γN records drawn without replacement (see the top): integer
// order >= 2 by Theorem 9 capped at α/(2z²); γ = 0: 0; γ = 1: α/(2z²) at any order; a
// fractional order with 0 < γ < 1: +inf. InputError for γ outside [0, 1], z not positive and
// finite, or an order outside (1, 100000].
double without_replacement_gaussian_rdp(double gamma, double z, double order);

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

  // Composes `steps` more steps with sampling rate q and noise multiplier z = σ/C (C the
  // sensitivity under the sampling's neighbouring relation); calls add up, so rounds with
  // different q, z or sampling compose (a step without replacement makes every fractional
  // order +inf). steps = 0 changes nothing.
  // InputError for q outside [0, 1], z not positive and finite, steps < 0.
  void add_steps(double q, double z, std::int64_t steps, Sampling sampling = Sampling::kPoisson);

  // The smallest ε over the orders at this δ (InputError for δ outside (0, 1)).
  PrivacySpent epsilon(double delta, RdpConversion conversion = RdpConversion::kBalle2020) const;
  // What epsilon(delta) would be after add_steps(q, z, steps), leaving this accountant as it is
  // (e.g. to check a budget before a round).
  PrivacySpent epsilon_after(double q, double z, std::int64_t steps, double delta,
                             RdpConversion conversion = RdpConversion::kBalle2020,
                             Sampling sampling = Sampling::kPoisson) const;

  std::span<const double> orders() const { return orders_; }
  // The composed RDP, one value per order.
  std::span<const double> rdp() const { return rdp_; }
  std::int64_t steps() const { return steps_; }

 private:
  std::vector<double> step_rdp(double q, double z, std::int64_t steps, Sampling sampling) const;
  static PrivacySpent best(std::span<const double> orders, std::span<const double> rdp,
                           double delta, RdpConversion conversion);

  std::vector<double> orders_;
  std::vector<double> rdp_;
  std::int64_t steps_ = 0;
};

}  // namespace fedload::privacy
