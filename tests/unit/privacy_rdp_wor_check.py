"""Independent check of fedload's RDP bound for the Gaussian on K of N drawn without replacement.

Usage: privacy_rdp_wor_check.py gamma z order steps rdp [gamma z order steps rdp ...]
Each rdp is fedload's composed RDP at an integer order >= 2 (gamma = K/N, z = noise / replace-one
sensitivity). This script recomputes it and exits 1 on a mismatch. Nothing here shares code or
method with the C++ (which sums in log space with lgamma binomials): the sum of Wang, Balle,
Kasiviswanathan (AISTATS 2019) Theorem 9 with the Gaussian's eps(j) = j/(2 z^2), eps(inf) = inf,
  A = 1 + g^2 C(a,2) min{4 (e^{eps(2)} - 1), 2 e^{eps(2)}} + sum_{j=3..a} 2 g^j C(a,j) e^{(j-1) eps(j)},
  rdp = steps * min(log(A) / (a - 1), a / (2 z^2)),
is formed term by term in 50-digit decimal arithmetic with exact integer binomials.

It also prints, for comparison, the strengthened bound Google's dp_accounting evaluates for the
Gaussian (the paper's arXiv version, Theorem 27: for j >= 3 the term is
g^j C(a,j) min{4 sqrt(D_{2 floor(j/2)} D_{2 ceil(j/2)}), 2 e^{(j-1) eps(j)}}, D_l the l-th forward
difference of e^{(i-1) eps(i)} at i = 0), computed from its definition in high-precision decimal,
and checks fedload's value is never below min(that, a / (2 z^2)) (Theorem 9 is the looser of the
two; the min with the plain Gaussian is fedload's).
"""
import decimal
import math
import sys
from decimal import Decimal

RTOL = 1e-9


def log_a_theorem9(g, z, a):
    with decimal.localcontext() as ctx:
        ctx.prec = 50
        g, z = Decimal(g), Decimal(z)
        eps2 = 1 / (z * z)
        total = 1 + g ** 2 * math.comb(a, 2) * min(4 * (eps2.exp() - 1), 2 * eps2.exp())
        for j in range(3, a + 1):
            total += 2 * g ** j * math.comb(a, j) * (Decimal((j - 1) * j) / (2 * z * z)).exp()
        return float(total.ln())


def log_a_theorem27_at(g, z, a, prec):
    with decimal.localcontext() as ctx:
        ctx.prec = prec
        g, z = Decimal(g), Decimal(z)
        h = [(Decimal((i - 1) * i) / (2 * z * z)).exp() for i in range(a + 2)]
        d = {l: sum((-1) ** (l - i) * math.comb(l, i) * h[i] for i in range(l + 1)) for l in range(2, a + 2, 2)}
        eps2 = 1 / (z * z)
        total = 1 + g ** 2 * math.comb(a, 2) * min(4 * (eps2.exp() - 1), 2 * eps2.exp())
        for j in range(3, a + 1):
            lo, hi = d[2 * (j // 2)], d[2 * ((j + 1) // 2)]
            if lo <= 0 or hi <= 0:  # even differences are positive: too few digits
                return None
            total += g ** j * math.comb(a, j) * min(4 * (lo * hi).sqrt(), 2 * h[j])
        return float(total.ln())


def log_a_theorem27(g, z, a):
    # the forward differences D_l = sum_i (-1)^(l-i) C(l,i) h(i), h(i) = e^{(i-1) i / (2 z^2)},
    # cancel heavily (terms up to 2^l h(l)): doubled digits until two answers agree
    last = None
    for prec in (60, 120, 240, 480, 960, 1920):
        now = log_a_theorem27_at(g, z, a, prec)
        if now is not None and last is not None and abs(now - last) <= 1e-14 * abs(now):
            return now
        last = now
    raise RuntimeError(f"theorem 27 did not settle at gamma={g} z={z} order={a}")


def main(argv):
    if len(argv) % 5 != 0 or not argv:
        print("expected groups of: gamma z order steps rdp")
        return 2
    failures = 0
    for i in range(0, len(argv), 5):
        g, z, order = float(argv[i]), float(argv[i + 1]), float(argv[i + 2])
        steps, got = int(argv[i + 3]), float(argv[i + 4])
        a = int(order)
        plain = a / (2 * z * z)
        want = steps * min(log_a_theorem9(g, z, a) / (a - 1), plain)
        ok = order == a and a >= 2 and abs(got - want) <= 1e-300 + RTOL * abs(want)
        strengthened = steps * min(log_a_theorem27(g, z, a) / (a - 1), plain)
        ok = ok and not got < strengthened * (1 - RTOL)
        failures += not ok
        print(f"{'ok' if ok else 'WRONG':5} gamma={g:<10.6g} z={z:<6g} order={a:<4d} steps={steps:<6d} "
              f"fedload={got:.12g} theorem9={want:.12g} theorem27={strengthened:.6g} "
              f"(fedload/theorem27 = {got / strengthened if strengthened > 0 else float('nan'):.4g})")
    print("OK" if failures == 0 else f"FAILED ({failures} wrong)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
