"""Independent 40-digit values of the 4-variable orthant probability P(z > 0), z ~ N(0, C), for
src/gauss/orthant.test.ts: Plackett's path integral from the identity (as orthant.ts integrates it,
each pair's term in theta = arcsin(t rho_ij)), written plainly in mpmath with tanh-sinh quadrature on
panels graded towards the end theta = arcsin(rho_ij), where a near-singular C has a thin layer.
Usage: one JSON array of the 16 entries of C (row-major) per line on stdin; prints P and the six
pair terms per line. Needs mpmath (pip install mpmath)."""
import json
import sys

import mpmath as mp

mp.mp.dps = 40
PAIRS = [(0, 1, 2, 3), (0, 2, 1, 3), (0, 3, 1, 2), (1, 2, 0, 3), (1, 3, 0, 2), (2, 3, 0, 1)]


def orthant4(C):
    C = [mp.mpf(x) for x in C]  # the doubles exactly
    R = [C[i * 4 + j] / mp.sqrt(C[i * 5] * C[j * 5]) for i in range(4) for j in range(4)]
    total, terms = mp.mpf(1) / 16, []
    for i, j, k, l in PAIRS:
        rho = R[i * 4 + j]
        top = mp.asin(rho)

        def p2(theta):
            # P(z_k, z_l > 0 | z_i = z_j = 0) on R(t): off-diagonals scaled by t = sin(theta)/rho.
            t = mp.sin(theta) / rho
            Rt = lambda a, b: mp.mpf(1) if a == b else t * R[a * 4 + b]
            d = 1 - Rt(i, j) ** 2
            cond = lambda a, b: Rt(a, b) - (Rt(a, i) * (Rt(b, i) - Rt(i, j) * Rt(b, j)) + Rt(a, j) * (Rt(b, j) - Rt(i, j) * Rt(b, i))) / d
            return mp.mpf(1) / 4 + mp.asin(cond(k, l) / mp.sqrt(cond(k, k) * cond(l, l))) / (2 * mp.pi)

        edges = [top * (1 - mp.mpf(2) ** -m) for m in range(60)] + [top]
        term = mp.quad(p2, edges) / (2 * mp.pi)
        terms.append(term)
        total += term
    return total, terms


for line in sys.stdin:
    if line.strip():
        value, terms = orthant4(json.loads(line))
        print(mp.nstr(value, 30), [mp.nstr(x, 20) for x in terms])
