"""Independent check of fedload's sampled-Gaussian RDP (numpy only, no DP library).

Usage: privacy_rdp_check.py q z order steps rdp [q z order steps rdp ...]
Each rdp is fedload's composed RDP; this script recomputes it two ways and exits 1 on a mismatch:
  - by numerical integration of the definition A = E_{x~N(0,z^2)}[(1-q + q e^{(2x-1)/(2z^2)})^order]
    on a fine grid (any order), and
  - for integer orders, by the binomial sum A = sum_k C(order,k) (1-q)^(order-k) q^k e^{(k^2-k)/(2z^2)}
    in plain floating point (math.comb, no log space), which is fine at these moderate orders.
RDP = steps * log(A) / (order - 1).
"""
import math
import sys

import numpy as np

RTOL = 1e-7


def log_a_by_integration(q, z, order):
    # A - 1 = E[ratio^order - 1] is integrated rather than A, so that log(A) = log1p(A - 1)
    # keeps its digits when A is close to 1 (small q); each integrand value is formed in log
    # space because ratio^order alone can overflow where the Gaussian weight is tiny.
    lo, hi = -40.0 * z - 5.0, 40.0 * z + 2.0 * order + 5.0
    n = 400001
    x = np.linspace(lo, hi, n)
    log_mu0 = -x * x / (2 * z * z) - math.log(z * math.sqrt(2 * math.pi))
    t = order * np.logaddexp(math.log1p(-q), math.log(q) + (2 * x - 1) / (2 * z * z))
    with np.errstate(divide="ignore"):
        log_abs_expm1 = np.where(t > 0, t + np.log1p(-np.exp(-np.abs(t))),
                                 np.log(-np.expm1(-np.abs(t))))
    g = np.sign(t) * np.exp(log_mu0 + log_abs_expm1)
    a_minus_1 = (g.sum() - 0.5 * (g[0] + g[-1])) * ((hi - lo) / (n - 1))  # trapezoid rule
    return math.log1p(a_minus_1)


def log_a_by_binomial(q, z, order):
    n = int(order)
    terms = [math.comb(n, k) * (1 - q) ** (n - k) * q ** k * math.exp((k * k - k) / (2 * z * z))
             for k in range(n + 1)]
    return math.log(math.fsum(terms))


def main(argv):
    if len(argv) % 5 != 0 or not argv:
        print("expected groups of: q z order steps rdp")
        return 2
    failures = 0
    for i in range(0, len(argv), 5):
        q, z, order = float(argv[i]), float(argv[i + 1]), float(argv[i + 2])
        steps, got = int(argv[i + 3]), float(argv[i + 4])
        refs = {"integration": log_a_by_integration(q, z, order)}
        if order.is_integer():
            refs["binomial"] = log_a_by_binomial(q, z, order)
        for how, log_a in refs.items():
            want = steps * log_a / (order - 1)
            ok = abs(got - want) <= 1e-12 + RTOL * abs(want)
            failures += not ok
            print(f"{'ok' if ok else 'WRONG':5} {how:11} q={q:<10.6g} z={z:<6g} order={order:<6g} "
                  f"steps={steps:<6d} fedload={got:.12g} python={want:.12g}")
    print("OK" if failures == 0 else f"FAILED ({failures} wrong)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
