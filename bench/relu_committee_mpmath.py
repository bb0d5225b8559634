"""Independent high-precision reference for the ReLU committee ODE (no code shared with src/).

Committee machine with ReLU student and teacher, fixed readouts v (student) and v* (teacher), no
label noise, no weight decay; the online-SGD overlap ODEs (Saad & Solla 1995; Goldt et al. 2019):

  dM_kj/dα = −η v_k E[e H(λ_k) ν_j],
  dQ_kl/dα = −η (v_k E[e H(λ_k) λ_l] + v_l E[e H(λ_l) λ_k]) + η² v_k v_l E[e² H(λ_k) H(λ_l)],
  ε = ½ E[e²],  e = Σ_k v_k relu(λ_k) − Σ_j v*_j relu(ν_j).

Every expectation is a Gaussian expectation of a product Π_i H(z_i)^{h_i} z_i^{m_i}: identical
units are merged first, then Stein's lemma E[z_i G] = Σ_j C_ij E[∂_j G] (with ∂H = δ, and
E[δ(z_j) F] = N(0; C_jj) E[F | z_j = 0]) removes every power, down to orthant probabilities:
1, 1/2, Sheppard's 1/4 + asin ρ/2π, 1/8 + Σ asin ρ/4π, and for four variables a 1-D integral
along a path that scales the four correlations between two pairs {a, b}, {c, d} by t ∈ [0, 1]
(at t = 0 the orthant factorises into two Sheppard terms; Plackett's identity
∂P/∂ρ_ij = φ₂(0, 0; ρ_ij) P(rest > 0 | z_i = z_j = 0) gives the derivative), by Gauss–Legendre
quadrature with nodes computed here. The pair split is the one with the strongest in-pair
correlations, so that near a solution (a student aligned with a teacher) the nearly singular
pairs stay fixed along the path and the integrand stays smooth. Where three units are nearly
aligned (two students sharing a teacher, p > p*) some cross pair is nearly aligned whatever the
split: each cross pair's term is integrated in θ = arcsin(t ρ) (which takes out its 1/√(1 − t²ρ²))
on panels graded geometrically towards θ = arcsin ρ, down to well below the layer's width ≈ √(1 − |ρ|).
Within one right-hand side every expectation is computed once (memoised on its covariance).

Integration: Gragg–Bulirsch–Stoer (modified midpoint, polynomial extrapolation in h², sequence
2, 4, …, 2K) with a fixed macro step; run twice (macro steps H and H/2) and compare.

A learning-rate schedule η(α) = η0 (1 + α/α0)^(−β) (`--power η0 α0 β`, α counted from the start
of this run) makes the ODE non-autonomous; the modified midpoint rule evaluates it at its own
times t0 + i·h, and its error still expands in h², so the extrapolation is unchanged.

Usage: python3 bench/relu_committee_mpmath.py [--from '{"Q": [4 numbers], "M": [4 numbers]}']
[--setup '{"p": 3, "pStar": 2, "eta": 0.5, "v": [...], "vStar": [...], "Q": [[...]], "M": [[...]], "P": [[...]]}']
[--power ETA0 ALPHA0 BETA] [--check] H K DPS NODES alpha1 alpha2 ...
(prints α, ε, the largest extrapolation-error estimate, seconds, then the state as JSON, from which
a run can go on with --setup). Without options: p = p* = 2, sum readout, η = ½ and the overlaps
INIT_Q, INIT_M, INIT_P below; --from replaces Q and M of that setup (row-major 2×2); --setup gives a
whole setup (every key optional: v, v* default to 1, the sum readout; α counts from 0 at its state).
Without --power η is the setup's (ETA).
The numbers are read as the doubles they name. --check also prints, at every output α, the largest
change of the right-hand side when the 4-orthant rule is refined (twice the nodes, 12 panels deeper).
"""
import sys
import time

import mpmath as mp
from mpmath import mpf

P_ = 2  # student width p
PS = 2  # teacher width p*
ETA = mpf(1) / 2
V = [1, 1]  # student readout v
VS = [1, 1]  # teacher readout v*
POWER = None  # (η0, α0, β) of a power-law schedule, or None for the constant ETA
REFINE = [1, 0]  # multiplier of the Gauss–Legendre nodes, extra graded panels (--check)
DEPTH = [1, 8]  # graded panels: ⌈DEPTH[0]·log₂(1/gap)⌉ + DEPTH[1]

INIT_Q = [[0.09876174671120784, 0.0012136211769233469], [0.0012136211769233469, 0.10441019399276652]]
INIT_M = [[0.0025130641480854473, -0.006809623197198043], [-0.011944861572191223, 0.009531773158696607]]
INIT_P = [[1.0000000000000004, -2.7276791936259315e-17], [-2.7276791936259315e-17, 1.0000000000000016]]

def eta_at(a):
    if POWER is None:
        return ETA
    eta0, alpha0, beta = POWER
    return eta0 * (1 + a / alpha0) ** (-beta)


NODES = []  # Gauss–Legendre nodes and weights on [0, 1]
RULES = {}  # the rules of other sizes, by size
CACHE = {}  # expectations of the current right-hand side, by (covariance, h, m)


def legendre_rule(n):
    """Nodes and weights on [0, 1] by Newton's method on P_n (three-term recurrence)."""
    out = []
    for i in range(1, n + 1):
        x = mp.cos(mp.pi * (i - mpf(1) / 4) / (n + mpf(1) / 2))
        for _ in range(100):
            p0, p1 = mpf(1), x
            for k in range(2, n + 1):
                p0, p1 = p1, ((2 * k - 1) * x * p1 - (k - 1) * p0) / k
            dp = n * (x * p1 - p0) / (x * x - 1)
            dx = p1 / dp
            x -= dx
            if abs(dx) < mpf(10) ** (-mp.mp.dps - 5):
                break
        p0, p1 = mpf(1), x
        for k in range(2, n + 1):
            p0, p1 = p1, ((2 * k - 1) * x * p1 - (k - 1) * p0) / k
        dp = n * (x * p1 - p0) / (x * x - 1)
        w = 2 / ((1 - x * x) * dp * dp)
        out.append(((x + 1) / 2, w / 2))
    return out


def rule(n):
    if n not in RULES:
        RULES[n] = legendre_rule(n)
    return RULES[n]


def sheppard(r):
    return mpf(1) / 4 + mp.asin(r) / (2 * mp.pi)


def cross_term(gap, r0, rki, rkj, rli, rlj, rkl):
    """∫₀¹ ∂P/∂ρ_ij dt of one cross pair (i, j) along the path, = (1/2π) ∫ P₂(t) dθ, θ = arcsin(tρ)."""
    top = mp.asin(r0)
    n = len(NODES) * REFINE[0]
    if gap > mpf(1) / 10 and REFINE[1] == 0:
        edges = [mpf(0), top]
    else:
        # Three nearly aligned variables (gap = the smallest 1 − |ρ| of all six pairs) put a layer
        # of width ≈ √gap in θ at the end of every cross pair's term: panels halving towards it.
        depth = int(mp.ceil(-mp.log(gap, 2) * DEPTH[0])) + DEPTH[1] + REFINE[1]
        edges = [top * (1 - mpf(2) ** -m) for m in range(depth)] + [top]
    total = mpf(0)
    for lo, hi in zip(edges, edges[1:]):
        width = hi - lo
        for x, w in rule(n):
            theta = lo + width * x
            r = mp.sin(theta)
            t = r / r0
            det = 1 - r * r
            tkj, tli = t * rkj, t * rli
            ckk = 1 - (rki * rki - 2 * r * rki * tkj + tkj * tkj) / det
            cll = 1 - (tli * tli - 2 * r * tli * rlj + rlj * rlj) / det
            ckl = t * rkl - (rki * tli - r * (rki * rlj + tkj * tli) + tkj * rlj) / det
            total += w * width * sheppard(ckl / mp.sqrt(ckk * cll))
    return total / (2 * mp.pi)


def orthant4(R):
    """P(z > 0), z ~ N(0, R), R a 4×4 correlation matrix (list of lists)."""
    splits = [((0, 1), (2, 3)), ((0, 2), (1, 3)), ((0, 3), (1, 2))]
    (a, b), (c, d) = max(splits, key=lambda s: abs(R[s[0][0]][s[0][1]]) + abs(R[s[1][0]][s[1][1]]))
    base = sheppard(R[a][b]) * sheppard(R[c][d])
    # Each cross pair (i, j) leaves i's partner k and j's partner l; along the path the in-pair
    # correlations keep their value and the cross ones are t·R. The conditional covariance of
    # (z_k, z_l) given z_i = z_j = 0 is the Schur complement (written out in cross_term).
    partner = {a: b, b: a, c: d, d: c}
    gap = min(1 - abs(R[i][j]) for i in range(4) for j in range(i + 1, 4))
    total = mpf(0)
    for i, j in [(a, c), (a, d), (b, c), (b, d)]:
        k, l = partner[i], partner[j]
        if R[i][j] != 0:
            total += cross_term(gap, R[i][j], R[k][i], R[k][j], R[l][i], R[l][j], R[k][l])
    return base + total


def orthant(C):
    k = len(C)
    if k == 0:
        return mpf(1)
    if k == 1:
        return mpf(1) / 2
    R = [[C[i][j] / mp.sqrt(C[i][i] * C[j][j]) for j in range(k)] for i in range(k)]
    if k == 2:
        return sheppard(R[0][1])
    if k == 3:
        return mpf(1) / 8 + (mp.asin(R[0][1]) + mp.asin(R[0][2]) + mp.asin(R[1][2])) / (4 * mp.pi)
    return orthant4(R)


def sub(C, keep):
    return [[C[i][j] for j in keep] for i in keep]


def condition(C, j):
    keep = [i for i in range(len(C)) if i != j]
    return [[C[a][b] - C[a][j] * C[b][j] / C[j][j] for b in keep] for a in keep]


def expect(C, h, m):
    """E[Π_i H(z_i)^{h_i} z_i^{m_i}], z ~ N(0, C), distinct variables."""
    keep = [i for i in range(len(C)) if h[i] or m[i]]
    if len(keep) < len(C):
        C, h, m = sub(C, keep), [h[i] for i in keep], [m[i] for i in keep]
    key = (tuple(x for row in C for x in row), tuple(h), tuple(m))
    if key not in CACHE:
        CACHE[key] = stein(C, h, m)
    return CACHE[key]


def stein(C, h, m):
    k = len(C)
    i = next((x for x in range(k) if m[x] >= 1), None)
    if i is None:
        return orthant(C)
    # z_i · G, G = H(z_i)^{h_i} z_i^{m_i − 1} Π_{j ≠ i} H(z_j)^{h_j} z_j^{m_j}
    mg = list(m)
    mg[i] -= 1
    total = mpf(0)
    for j in range(k):
        if C[i][j] == 0:
            continue
        hj, mj = h[j], mg[j]
        if mj >= 1:  # ∂(H^h z^m) = m H^h z^{m−1} (+ δ z^m = 0)
            m2 = list(mg)
            m2[j] -= 1
            total += C[i][j] * mj * expect(C, h, m2)
        elif hj == 1:  # ∂H = δ: condition on z_j = 0
            rest = [x for x in range(k) if x != j]
            val = expect(condition(C, j), [h[x] for x in rest], [mg[x] for x in rest])
            total += C[i][j] / mp.sqrt(2 * mp.pi * C[j][j]) * val
    return total


def expect_units(C, factors):
    """E[Π (unit, h, m)] with units merged (H·H = H, powers add)."""
    merged = {}
    for u, h, m in factors:
        h0, m0 = merged.get(u, (0, 0))
        merged[u] = (max(h0, h), m0 + m)
    units = sorted(merged)
    return expect(sub(C, units), [merged[u][0] for u in units], [merged[u][1] for u in units])


def n_units():
    return P_ + PS


def coef():
    return [mpf(x) for x in V] + [-mpf(x) for x in VS]


def pairs():
    return [(k, l) for k in range(P_) for l in range(k, P_)]


def unpack(y):
    Q = [[mpf(0)] * P_ for _ in range(P_)]
    for n, (k, l) in enumerate(pairs()):
        Q[k][l] = Q[l][k] = y[n]
    off = len(pairs())
    M = [[y[off + k * PS + j] for j in range(PS)] for k in range(P_)]
    return Q, M


def pack(Q, M):
    return [mpf(Q[k][l]) for k, l in pairs()] + [mpf(M[k][j]) for k in range(P_) for j in range(PS)]


def covariance(y):
    Q, M = unpack(y)
    n = n_units()
    C = [[mpf(0)] * n for _ in range(n)]
    for a in range(P_):
        for b in range(P_):
            C[a][b] = Q[a][b]
        for j in range(PS):
            C[a][P_ + j] = M[a][j]
            C[P_ + j][a] = M[a][j]
    for i in range(PS):
        for j in range(PS):
            C[P_ + i][P_ + j] = mpf(INIT_P[i][j])
    return C


def loss(y):
    CACHE.clear()
    C = covariance(y)
    c = coef()
    s = mpf(0)
    for u in range(n_units()):
        for w in range(n_units()):
            s += c[u] * c[w] * expect_units(C, [(u, 1, 1), (w, 1, 1)])
    return s / 2


def rhs(y, a):
    CACHE.clear()
    C = covariance(y)
    c = coef()
    n = n_units()
    eta = eta_at(a)

    def e_h_z(k, b):  # E[e H(z_k) z_b]
        return sum(c[u] * expect_units(C, [(k, 1, 0), (b, 0, 1), (u, 1, 1)]) for u in range(n))

    def e2_hh(k, l):  # E[e² H(z_k) H(z_l)]
        s = mpf(0)
        for u in range(n):
            for w in range(u, n):
                t = c[u] * c[w] * expect_units(C, [(k, 1, 0), (l, 1, 0), (u, 1, 1), (w, 1, 1)])
                s += t if u == w else 2 * t
        return s

    dQ = [-eta * (c[k] * e_h_z(k, l) + c[l] * e_h_z(l, k)) + eta * eta * c[k] * c[l] * e2_hh(k, l) for k, l in pairs()]
    dM = [-eta * c[k] * e_h_z(k, P_ + j) for k in range(P_) for j in range(PS)]
    return dQ + dM


def gbs_step(y, t, H, K):
    table = []
    for j in range(1, K + 1):
        n = 2 * j
        h = H / n
        z0 = y
        f0 = rhs(y, t)
        z1 = [a + h * b for a, b in zip(z0, f0)]
        for i in range(1, n):
            f = rhs(z1, t + i * h)
            z0, z1 = z1, [a + 2 * h * b for a, b in zip(z0, f)]
        f = rhs(z1, t + H)
        row = [[(a + b + h * c) / 2 for a, b, c in zip(z1, z0, f)]]
        for k in range(1, j):
            ratio = (mpf(n) / (2 * (j - k))) ** 2 - 1
            prev, cur = table[-1][k - 1], row[k - 1]
            row.append([c + (c - p) / ratio for c, p in zip(cur, prev)])
        table.append(row)
    last, before = table[-1][-1], table[-2][-2]
    return last, max(abs(a - b) for a, b in zip(last, before))


def refine_change(y, a):
    """Largest change of the right-hand side when the 4-orthant rule is refined."""
    base = rhs(y, a)
    REFINE[0], REFINE[1] = 2, 12
    fine = rhs(y, a)
    REFINE[0], REFINE[1] = 1, 0
    return max(abs(a - b) for a, b in zip(base, fine))


def main():
    global INIT_Q, INIT_M, INIT_P, P_, PS, ETA, V, VS, POWER
    import json
    check = False
    while sys.argv[1].startswith('--'):
        if sys.argv[1] == '--from':
            start = json.loads(sys.argv[2])
            INIT_Q = [[float(start['Q'][0]), float(start['Q'][1])], [float(start['Q'][2]), float(start['Q'][3])]]
            INIT_M = [[float(start['M'][0]), float(start['M'][1])], [float(start['M'][2]), float(start['M'][3])]]
            del sys.argv[1:3]
        elif sys.argv[1] == '--setup':
            s = json.loads(sys.argv[2])
            P_, PS = s.get('p', P_), s.get('pStar', PS)
            V, VS = s.get('v', [1] * P_), s.get('vStar', [1] * PS)
            INIT_Q, INIT_M, INIT_P = s.get('Q', INIT_Q), s.get('M', INIT_M), s.get('P', INIT_P)
            ETA = mpf(s['eta']) if 'eta' in s else ETA
            del sys.argv[1:3]
        elif sys.argv[1] == '--power':
            POWER = sys.argv[2:5]  # read once the precision is set
            del sys.argv[1:5]
        elif sys.argv[1] == '--check':
            check = True
            del sys.argv[1]
        else:
            sys.exit('unknown option ' + sys.argv[1])
    H, K, dps, nodes = mpf(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    save = [mpf(a) for a in sys.argv[5:]]
    mp.mp.dps = dps
    ETA = mpf(ETA)  # the double it names, at the working precision
    if POWER is not None:
        POWER = tuple(mpf(x) for x in POWER)
    NODES.extend(legendre_rule(nodes))
    RULES[nodes] = NODES
    y = pack(INIT_Q, INIT_M)
    a = mpf(0)
    start = time.time()
    worst = mpf(0)
    for target in save:
        while a < target - H / 2:
            y, err = gbs_step(y, a, H, K)
            worst = max(worst, err)
            a += H
        extra = ' refine ' + mp.nstr(refine_change(y, a), 3) if check else ''
        print(mp.nstr(a, 8), mp.nstr(loss(y), 25), mp.nstr(worst, 3), round(time.time() - start), extra, flush=True)
        Q, M = unpack(y)
        print('state', json.dumps({'alpha': mp.nstr(a, 8), 'Q': [[mp.nstr(x, dps) for x in r] for r in Q], 'M': [[mp.nstr(x, dps) for x in r] for r in M]}), flush=True)


if __name__ == '__main__':
    main()
