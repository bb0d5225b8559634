/**
 * The ReLU expectations of relu.ts in double-double arithmetic (dd.ts), for the ODE near a
 * zero-loss point (ode/deviation.ts), where their sums cancel to O(ε) and must keep ≈ 10⁻³⁰ of
 * their O(1) size.
 *
 * Conditioning. Near a solution a student λ_k is aligned with a teacher ν_j: their angle θ is
 * O(√ε), and every formula that takes θ from cos θ = ρ (arccos ρ, √(1 − ρ²)) loses half its digits
 * (d arccos ρ/dρ = −1/sin θ). So every angle here is computed from the 2×2 covariance (x, y; y, z)
 * as θ = arcsin(√(xz − y²)/√(xz)) when sin θ is the smaller of sin θ and |cos θ| (|cos θ| > 0.7),
 * else π/2 − arcsin(cos θ): arcsin with argument ≤ 0.72, where it is well-conditioned. The
 * determinant xz − y² is a difference of double-doubles, so it keeps 10⁻³² absolute however small.
 * In those terms (relu.ts; Cho & Saul's arc-cosine kernel, Sheppard's orthant):
 *
 *   I2 = E[a⁺ b⁺]      = (√det_ab + (π − θ_ab) C_ab)/(2π)
 *   J2 = E[H(a) H(b)]  = (π − θ_ab)/(2π)
 *   I3 = E[H(a) b c⁺]  = (C_ab √det_ac / C_aa + C_bc (π − θ_ac))/(2π)      (Stein's lemma in b)
 *   P(z₁, z₂, z₃ > 0)  = 1/2 − (θ₁₂ + θ₁₃ + θ₂₃)/(4π)
 *
 * I4 = E[H(a) H(b) c⁺ d⁺] goes, as in orthant.ts, by Stein's lemma (E[z_j F] = Σ_m C_jm E[∂_m F],
 * ∂H = δ, E[δ(z_d) F] = E[F | z_d = 0]/√(2π C_dd)) down to orthant probabilities, after merging
 * identical variables (H·H = H, H·R = R, R·R = R²). The four-variable orthant has no closed form;
 * it is the 1-D integral (Plackett's identity ∂P/∂ρ_ij = φ₂(0, 0; ρ_ij) P(rest > 0 | z_i = z_j = 0))
 * along the path that scales the four correlations between two pairs {a, b}, {c, d} by t ∈ [0, 1]:
 *
 *   P(R) = P₂(ρ_ab) P₂(ρ_cd) + Σ_{i ∈ {a,b}, j ∈ {c,d}} (1/2π) ∫₀^{arcsin ρ_ij} P₂(r_kl|ij(t)) dφ,
 *   t = sin φ/ρ_ij,  k, l the partners of i, j,
 *
 * (φ = arcsin(tρ_ij) absorbs φ₂'s 1/√(1 − t²ρ_ij²)), with the conditional covariance of
 * (z_k, z_l) given z_i = z_j = 0 written out as a Schur complement (det = 1 − t²ρ_ij² = cos²φ):
 *
 *   s_kk = 1 − (ρ_ki² − 2 tρ_ij ρ_ki tρ_kj + (tρ_kj)²)/det,  s_ll likewise with (tρ_li, ρ_lj),
 *   s_kl = tρ_kl − (ρ_ki tρ_li − tρ_ij (ρ_ki ρ_lj + tρ_kj tρ_li) + tρ_kj ρ_lj)/det.
 *
 * The pairs are the split with the strongest in-pair correlations: near a solution each student is
 * paired with its teacher, the nearly singular correlations stay fixed along the path, and the
 * integrand is analytic on a wide neighbourhood of [0, 1] (a path that scales every correlation from
 * the identity, as orthant.ts does in double, has a boundary layer of width θ at the end of the
 * aligned pair's term). 24 Gauss–Legendre nodes then give ≈ 10⁻³⁰ (tested against a 40-digit
 * evaluation, reluExact.test.ts).
 */
import type { ExactExpectations } from './expectations.js';
import { add, addD, asin, div, dd, mul, mulD, neg, ONE, PI, sinCosDD, sqrt, sub, ZERO, type DD } from './dd.js';
import { pow } from '../math/pow.js';
import { cos } from '../math/trig.js';

const TWO_PI = mulD(PI, 2);
const FOUR_PI = mulD(PI, 4);
const HALF_PI = mulD(PI, 0.5);
const HALF = dd(0.5);

/** xz − y², clamped at 0 (a covariance of identical variables rounds either way). */
function det2(x: DD, y: DD, z: DD): DD {
  const d = sub(mul(x, z), mul(y, y));
  return d.h > 0 ? d : ZERO;
}

/** The angle θ ∈ [0, π] of a 2×2 covariance (x, y; y, z), cos θ = y/√(xz), by the better-conditioned arcsin. */
function angle(x: DD, y: DD, z: DD): DD {
  const s = sqrt(mul(x, z));
  const cos = div(y, s);
  if (Math.abs(cos.h) <= 0.7) return sub(HALF_PI, asin(cos));
  const a = asin(div(sqrt(det2(x, y, z)), s));
  return cos.h > 0 ? a : sub(PI, a);
}

/** P(z_i > 0, z_j > 0) = 1/2 − θ/(2π), Sheppard. */
const orthant2 = (x: DD, y: DD, z: DD) => sub(HALF, div(angle(x, y, z), TWO_PI));

/** Gauss–Legendre nodes and weights on [0, 1] in double-double (Newton on P_n in double, then twice in double-double). */
function legendreDD(n: number): { x: DD[]; w: DD[] } {
  const evalP = (x: DD) => {
    let p0 = ONE, p1 = x;
    for (let k = 2; k <= n; k++) {
      const p2 = div(sub(mulD(mul(x, p1), 2 * k - 1), mulD(p0, k - 1)), dd(k));
      p0 = p1; p1 = p2;
    }
    // P_n' = n (x P_n − P_{n−1})/(x² − 1)
    const dp = div(mulD(sub(mul(x, p1), p0), n), sub(mul(x, x), ONE));
    return { p: p1, dp };
  };
  const xs: DD[] = [], ws: DD[] = [];
  for (let i = 1; i <= n; i++) {
    let x = cos((Math.PI * (i - 0.25)) / (n + 0.5));
    for (let it = 0; it < 100; it++) {
      let p0 = 1, p1 = x;
      for (let k = 2; k <= n; k++) { const p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k; p0 = p1; p1 = p2; }
      const dx = p1 / ((n * (x * p1 - p0)) / (x * x - 1));
      x -= dx;
      if (Math.abs(dx) < 1e-15) break;
    }
    let X = dd(x);
    for (let it = 0; it < 2; it++) { const { p, dp } = evalP(X); X = sub(X, div(p, dp)); }
    const { dp } = evalP(X);
    // w = 2/((1 − x²) P_n'(x)²) on [−1, 1]; on [0, 1]: node (x + 1)/2, weight w/2.
    const w = div(ONE, mul(sub(ONE, mul(X, X)), mul(dp, dp)));
    xs.push(mulD(addD(X, 1), 0.5));
    ws.push(w);
  }
  return { x: xs, w: ws };
}

const NODES = 24;
let rule: { x: DD[]; w: DD[] } | undefined;

/**
 * A rule graded towards the end x = 1: 16-node Gauss–Legendre on [0, ½], [½, ¾], …, [1 − 2⁻³⁰, 1].
 * When a cross pair is nearly aligned (several students on one teacher, p > p*), the conditioning
 * on that pair becomes singular as t → 1 and the integrand has a layer there as thin as the
 * alignment angle: 24 uniform nodes were 4·10⁻⁷ off (96 nodes still 4·10⁻⁷ in the reference), the
 * graded rule agrees with 24 nodes per panel to 10⁻²⁹ (bench/relu_committee_mpmath.py's orthant).
 */
let graded: { x: DD[]; w: DD[] } | undefined;
function gradedRule(): { x: DD[]; w: DD[] } {
  const base = legendreDD(16), x: DD[] = [], w: DD[] = [];
  const edges = [0];
  for (let m = 1; m <= 30; m++) edges.push(1 - pow(2, -m));
  edges.push(1);
  for (let e = 0; e + 1 < edges.length; e++) {
    const a = edges[e], width = edges[e + 1] - a; // exact: dyadic
    for (let m = 0; m < base.x.length; m++) { x.push(addD(mulD(base.x[m], width), a)); w.push(mulD(base.w[m], width)); }
  }
  return { x, w };
}
/**
 * Cross correlations above this use the graded rule. 0.9 was too high: at late states of the
 * p = 3, p* = 2 ReLU committee (two students on one teacher, cross correlations 0.5–0.9) the
 * 24 uniform nodes were 3.6·10⁻¹⁰ and 7.6·10⁻¹⁰ off the 40-digit values of
 * bench/orthant4_mpmath.py, the graded rule within their double rounding (reluExact.test.ts).
 * Near a solution with p = p* the cross pairs (a student and another unit's teacher) stay far
 * below 0.5, so that case keeps the 24-node rule.
 */
const GRADED_ABOVE = 0.5;

const SPLITS: readonly (readonly [number, number, number, number])[] = [[0, 1, 2, 3], [0, 2, 1, 3], [0, 3, 1, 2]];

const PERMUTATIONS: number[][] = [];
for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) for (let c = 0; c < 4; c++) for (let d = 0; d < 4; d++) {
  if (new Set([a, b, c, d]).size === 4) PERMUTATIONS.push([a, b, c, d]);
}
const ENTRIES: [number, number][] = [[0, 0], [1, 1], [2, 2], [3, 3], [0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]];

/**
 * The covariance's entries (diagonal, then upper triangle; high and low parts) under the
 * permutation of the variables that makes them lexicographically smallest: P(z > 0) is symmetric
 * in the variables, and the ODE asks for the same four units in up to six roles per right-hand side.
 */
function canonicalKey(C: readonly DD[]): string {
  let best: number[] | null = null;
  const cur: number[] = new Array(20);
  for (const perm of PERMUTATIONS) {
    for (let m = 0; m < 10; m++) {
      const [i, j] = ENTRIES[m];
      const x = C[perm[i] * 4 + perm[j]];
      cur[2 * m] = x.h; cur[2 * m + 1] = x.l;
    }
    if (!best) { best = cur.slice(); continue; }
    for (let m = 0; m < 20; m++) {
      if (cur[m] !== best[m]) { if (cur[m] < best[m]) best = cur.slice(); break; }
    }
  }
  return best!.join(',');
}

const MEMO_SIZE = 4096;
const memo = new Map<string, DD>();

/** P(z > 0) for z ~ N(0, C), C 4×4 positive definite (row-major, double-double); remembered by its canonical key. */
export function orthant4DD(C: readonly DD[]): DD {
  const key = canonicalKey(C);
  const hit = memo.get(key);
  if (hit !== undefined) return hit;
  const value = orthant4Uncached(C);
  if (memo.size >= MEMO_SIZE) memo.clear();
  memo.set(key, value);
  return value;
}

function orthant4Uncached(C: readonly DD[]): DD {
  const R: DD[] = new Array(16);
  const sd = [0, 1, 2, 3].map((i) => sqrt(C[i * 5]));
  for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) R[i * 4 + j] = i === j ? ONE : div(C[i * 4 + j], mul(sd[i], sd[j]));
  let best = SPLITS[0], size = -1;
  for (const s of SPLITS) {
    const v = Math.abs(R[s[0] * 4 + s[1]].h) + Math.abs(R[s[2] * 4 + s[3]].h);
    if (v > size) { size = v; best = s; }
  }
  const [a, b, c, d] = best;
  const partner = [0, 0, 0, 0];
  partner[a] = b; partner[b] = a; partner[c] = d; partner[d] = c;
  let total = mul(orthant2(ONE, R[a * 4 + b], ONE), orthant2(ONE, R[c * 4 + d], ONE));
  const cross = [[a, c], [a, d], [b, c], [b, d]];
  const aligned = cross.some(([i, j]) => Math.abs(R[i * 4 + j].h) > GRADED_ABOVE);
  const q = aligned ? (graded ??= gradedRule()) : (rule ??= legendreDD(NODES));
  for (const [i, j] of cross) {
    const rij = R[i * 4 + j];
    if (rij.h === 0) continue;
    const k = partner[i], l = partner[j];
    const rki = R[k * 4 + i], rkj = R[k * 4 + j], rli = R[l * 4 + i], rlj = R[l * 4 + j], rkl = R[k * 4 + l];
    // arcsin ρ_ij = ±(π/2 − θ_ij), θ_ij well-conditioned also for |ρ_ij| → 1.
    const top = Math.abs(rij.h) <= 0.7 ? asin(rij) : (rij.h > 0 ? sub(HALF_PI, asin(sqrt(det2(ONE, rij, ONE)))) : neg(sub(HALF_PI, asin(sqrt(det2(ONE, rij, ONE))))));
    const b1 = mul(rki, rlj);
    let sum = ZERO;
    for (let m = 0; m < q.x.length; m++) {
      const { s: r, c: cosPhi } = sinCosDD(mul(top, q.x[m]));
      const t = div(r, rij);
      const det = mul(cosPhi, cosPhi);
      const tkj = mul(t, rkj), tli = mul(t, rli);
      const skk = sub(ONE, div(add(sub(mul(rki, rki), mulD(mul(mul(r, rki), tkj), 2)), mul(tkj, tkj)), det));
      const sll = sub(ONE, div(add(sub(mul(tli, tli), mulD(mul(mul(r, tli), rlj), 2)), mul(rlj, rlj)), det));
      const skl = sub(mul(t, rkl), div(add(sub(mul(rki, tli), mul(r, add(b1, mul(tkj, tli)))), mul(tkj, rlj)), det));
      sum = add(sum, mul(q.w[m], orthant2(skk, skl, sll)));
    }
    total = add(total, div(mul(top, sum), TWO_PI));
  }
  return total;
}

type Factor = 'H' | 'R' | 'R2' | 'D';

/** P(z > 0) for k ≤ 4 variables of covariance C (side k). */
function orthant(C: readonly DD[], k: number): DD {
  if (k === 0) return ONE;
  if (k === 1) return HALF;
  if (k === 2) return orthant2(C[0], C[1], C[3]);
  if (k === 3) {
    const s = add(add(angle(C[0], C[1], C[4]), angle(C[0], C[2], C[8])), angle(C[4], C[5], C[8]));
    return sub(HALF, div(s, FOUR_PI));
  }
  return orthant4DD(C);
}

/** Covariance of the variables other than d given z_d = 0 (side k − 1). */
function condition(C: readonly DD[], k: number, d: number): DD[] {
  const out: DD[] = [];
  const cdd = C[d * k + d];
  for (let a = 0; a < k; a++) {
    if (a === d) continue;
    for (let b = 0; b < k; b++) {
      if (b === d) continue;
      out.push(sub(C[a * k + b], div(mul(C[a * k + d], C[b * k + d]), cdd)));
    }
  }
  return out;
}

/** 1/√(2π v): the density of N(0, v) at 0. */
const phi0 = (v: DD) => div(ONE, sqrt(mul(TWO_PI, v)));

/**
 * E[Π f_i(z_i)] for distinct variables (side k ≤ 4), f ∈ {H, R = z⁺, R2 = (z⁺)², D = δ}, by Stein's
 * lemma down to orthant probabilities (the recursion of orthant.ts's expectProduct, in double-double).
 */
function expectProduct(C: readonly DD[], k: number, f: readonly Factor[]): DD {
  for (let i = 0; i < k; i++) if (!(C[i * k + i].h > 0)) return ZERO; // a zero variable: H(0) = 0⁺ = 0
  const d = f.indexOf('D');
  if (d >= 0) return mul(phi0(C[d * k + d]), expectProduct(condition(C, k, d), k - 1, f.filter((_, i) => i !== d)));
  let j = f.indexOf('R2');
  if (j < 0) j = f.indexOf('R');
  if (j < 0) return orthant(C, k);
  // f_j = z_j g_j(z_j): g = H for R (∂g = δ), g = R for R2 (∂g = H).
  const g: Factor = f[j] === 'R' ? 'H' : 'R';
  const dg: Factor = f[j] === 'R' ? 'D' : 'H';
  let total = mul(C[j * k + j], expectProduct(C, k, f.map((x, i) => (i === j ? dg : x))));
  for (let m = 0; m < k; m++) {
    if (m === j || C[j * k + m].h === 0) continue;
    const fm = f[m];
    const [factor, scale]: [Factor, number] = fm === 'H' ? ['D', 1] : fm === 'R' ? ['H', 1] : ['R', 2];
    total = add(total, mulD(mul(C[j * k + m], expectProduct(C, k, f.map((x, i) => (i === j ? g : i === m ? factor : x)))), scale));
  }
  return total;
}

const sameDD = (x: DD, y: DD) => x.h === y.h && x.l === y.l;

/** E[H(a) H(b) c⁺ d⁺] with identical variables merged first (the ODE asks for E[H(λ_k)² …] and E[… (λ_u⁺)²]). */
function reluI4DD(C: readonly DD[]): DD {
  const kinds: Factor[] = ['H', 'H', 'R', 'R'];
  const rep: number[] = [], factors: Factor[] = [];
  for (let i = 0; i < 4; i++) {
    let g = -1;
    for (let q = 0; q < rep.length && g < 0; q++) {
      const r = rep[q];
      let same = true;
      for (let m = 0; m < 4 && same; m++) same = sameDD(C[i * 4 + m], C[r * 4 + m]);
      if (same) g = q;
    }
    if (g < 0) { rep.push(i); factors.push(kinds[i]); continue; }
    const a = factors[g], b = kinds[i];
    factors[g] = a === 'H' ? b : b === 'H' ? a : 'R2';
  }
  const k = rep.length;
  const S: DD[] = [];
  for (const a of rep) for (const b of rep) S.push(C[a * 4 + b]);
  return expectProduct(S, k, factors);
}

export const reluExactExpectations: ExactExpectations = {
  I2: (C) => {
    if (!(C[0].h > 0 && C[3].h > 0)) return ZERO;
    const th = angle(C[0], C[1], C[3]);
    return div(add(sqrt(det2(C[0], C[1], C[3])), mul(sub(PI, th), C[1])), TWO_PI);
  },
  J2: (C) => (C[0].h > 0 && C[3].h > 0 ? orthant2(C[0], C[1], C[3]) : ZERO),
  I3: (C) => {
    const caa = C[0], cab = C[1], cac = C[2], cbc = C[5], ccc = C[8];
    if (!(caa.h > 0 && ccc.h > 0)) return ZERO;
    const th = angle(caa, cac, ccc);
    return div(add(div(mul(cab, sqrt(det2(caa, cac, ccc))), caa), mul(cbc, sub(PI, th))), TWO_PI);
  },
  I4: reluI4DD,
};
