/**
 * Orthant probabilities P(z > 0) of zero-mean Gaussian vectors, and the ReLU four-variable
 * expectation built from them. They depend on correlations only.
 *  - 2 variables: 1/4 + arcsin ρ/(2π) (Sheppard).
 *  - 4 variables: no closed form; along the path R(t) = (1 − t) I + t R, Plackett's identity
 *    ∂P/∂ρ_ij = φ₂(0, 0; ρ_ij) · P(other two > 0 | z_i = z_j = 0) turns it into a smooth 1-D
 *    integral from P(I) = 1/16, done by Gauss–Legendre quadrature.
 */
import { symmetricEigen } from '../linalg/matrix.js';

export function orthant2(rho: number): number {
  return 0.25 + Math.asin(Math.max(-1, Math.min(1, rho))) / (2 * Math.PI);
}

/** Gauss–Legendre nodes and weights on [0, 1] (Golub–Welsch). */
export function legendreRule(n: number): { nodes: Float64Array; weights: Float64Array } {
  const J = new Float64Array(n * n);
  for (let k = 1; k < n; k++) { const b = k / Math.sqrt(4 * k * k - 1); J[(k - 1) * n + k] = b; J[k * n + k - 1] = b; }
  const { values, vectors } = symmetricEigen(J, n);
  return { nodes: values.map((x) => (x + 1) / 2), weights: Float64Array.from({ length: n }, (_, i) => vectors[i] ** 2) };
}

// Computed on first use, not at import: the 48×48 eigenproblem takes ~35 ms, which every CLI
// command would pay whether or not it meets a ReLU.
let legendre48: { nodes: Float64Array; weights: Float64Array } | undefined;

/** Correlation matrix of a covariance (side n). */
function correlation(C: ArrayLike<number>, n: number): Float64Array {
  const R = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) R[i * n + j] = C[i * n + j] / Math.sqrt(C[i * n + i] * C[j * n + j]);
  return R;
}

const PAIRS: [number, number, number, number][] = [[0, 1, 2, 3], [0, 2, 1, 3], [0, 3, 1, 2], [1, 2, 0, 3], [1, 3, 0, 2], [2, 3, 0, 1]];

/**
 * P(z₁, z₂, z₃, z₄ > 0) for z ~ N(0, C), C 4×4 positive definite. Each pair's term of Plackett's
 * path integral, ρ_ij/(2π√(1 − t²ρ_ij²)) · P₂(t) dt, is integrated in θ = arcsin(t ρ_ij) ∈
 * [0, arcsin ρ_ij] (dθ = ρ_ij dt/√(1 − t²ρ_ij²)), as Sheppard's formula does for two variables:
 * in t the factor is singular at t = 1 when ρ_ij → 1, and Gauss–Legendre in t lost 3·10⁻⁴ of the
 * ReLU I4 at ρ = 1 − 10⁻⁶ (a student unit aligned with a teacher unit, late in training).
 */
export function orthant4(C: ArrayLike<number>): number {
  const R = correlation(C, 4);
  // P(z > 0) is symmetric in the four variables, and the committee ODE asks for the same set of
  // four units in up to six roles per right-hand side (E[H(λ_k)H(λ_l) λ_u⁺ λ_w⁺] for every split of
  // {k, l, u, w} into a student pair and the rest): remember each by its correlations in a
  // canonical order (the permutation with the lexicographically smallest upper triangle).
  const key = canonicalKey(R);
  const hit = memo.get(key);
  if (hit !== undefined) return hit;
  const value = orthant4Uncached(R);
  if (memo.size >= MEMO_SIZE) memo.clear();
  memo.set(key, value);
  return value;
}

const MEMO_SIZE = 8192;
const memo = new Map<string, number>();
const PERMUTATIONS: number[][] = [];
for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) for (let c = 0; c < 4; c++) for (let d = 0; d < 4; d++) {
  if (new Set([a, b, c, d]).size === 4) PERMUTATIONS.push([a, b, c, d]);
}
const UPPER: [number, number][] = [[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]];

/** The upper triangle of R under the permutation that makes it lexicographically smallest. */
function canonicalKey(R: Float64Array): string {
  let best: number[] | null = null;
  for (const perm of PERMUTATIONS) {
    let cmp = 0;
    for (let m = 0; m < 6 && best; m++) {
      const [i, j] = UPPER[m];
      const x = R[perm[i] * 4 + perm[j]];
      if (x !== best[m]) { cmp = x < best[m] ? -1 : 1; break; }
    }
    if (!best || cmp < 0) best = UPPER.map(([i, j]) => R[perm[i] * 4 + perm[j]]);
  }
  return best!.join(',');
}

function orthant4Uncached(R: Float64Array): number {
  let integral = 0;
  const rule = (legendre48 ??= legendreRule(48));
  for (const [i, j, k, l] of PAIRS) {
    const rho = R[i * 4 + j];
    if (rho === 0) continue;
    const top = Math.asin(Math.max(-1, Math.min(1, rho)));
    // The correlation of (z_k, z_l) given z_i = z_j = 0 along R(t) (off-diagonals scaled by t), as
    // the Schur complement of R(t)_{ij,ij} gives it, with its t-independent parts out of the node loop:
    // s_uv(t) = t r_uv [u ≠ v] + [u = v] − t² (a_uv − t b_uv)/(1 − t² r_ij²),
    // a_uv = r_ui r_vi + r_uj r_vj, b_uv = r_ij (r_ui r_vj + r_uj r_vi).
    const rki = R[k * 4 + i], rkj = R[k * 4 + j], rli = R[l * 4 + i], rlj = R[l * 4 + j], rkl = R[k * 4 + l];
    const akk = rki * rki + rkj * rkj, bkk = 2 * rho * rki * rkj;
    const all = rli * rli + rlj * rlj, bll = 2 * rho * rli * rlj;
    const akl = rki * rli + rkj * rlj, bkl = rho * (rki * rlj + rkj * rli);
    let term = 0;
    for (let q = 0; q < rule.nodes.length; q++) {
      const t = Math.sin(top * rule.nodes[q]) / rho;
      const t2 = t * t, det = 1 - t2 * rho * rho;
      const skk = 1 - (t2 * (akk - t * bkk)) / det, sll = 1 - (t2 * (all - t * bll)) / det;
      const skl = t * rkl - (t2 * (akl - t * bkl)) / det;
      term += rule.weights[q] * orthant2(skl / Math.sqrt(skk * sll));
    }
    integral += (top * term) / (2 * Math.PI);
  }
  return 1 / 16 + integral;
}

/** Density of N(0, v) at 0. */
const phi0 = (v: number) => 1 / Math.sqrt(2 * Math.PI * v);

/** P(z > 0) for k ≤ 4 zero-mean variables with covariance C (side k). */
export function orthant(C: ArrayLike<number>, k: number): number {
  const r = (i: number, j: number) => C[i * k + j] / Math.sqrt(C[i * k + i] * C[j * k + j]);
  if (k === 0) return 1;
  if (k === 1) return 0.5;
  if (k === 2) return orthant2(r(0, 1));
  if (k === 3) return 0.125 + (Math.asin(r(0, 1)) + Math.asin(r(0, 2)) + Math.asin(r(1, 2))) / (4 * Math.PI);
  return orthant4(C);
}

/**
 * Factors of a product of functions of zero-mean Gaussian variables: H(z) (Heaviside), R(z) = z⁺,
 * R2(z) = (z⁺)², D(z) = δ(z).
 */
export type Factor = 'H' | 'R' | 'R2' | 'D';

/**
 * E[Π_i f_i(z_i)] for z ~ N(0, C) (side k ≤ 4, positive definite), f_i ∈ {H, R, R2, D}, by
 * Gaussian integration by parts (E[z_j Φ] = Σ_m C_jm E[∂_m Φ]) and conditioning on z = 0 for
 * each δ, down to orthant probabilities. Exact up to the 1-D quadrature inside `orthant4`.
 */
export function expectProduct(C: Float64Array, k: number, f: readonly Factor[]): number {
  const d = f.indexOf('D');
  if (d >= 0) return phi0(C[d * k + d]) * expectProduct(...condition(C, k, d), f.filter((_, i) => i !== d));
  let j = f.indexOf('R2');
  if (j < 0) j = f.indexOf('R');
  if (j < 0) return orthant(C, k);
  // f_j = z_j · g_j(z_j) with g = H for R, g = R for R2; then ∂_j g_j = δ (R) or H (R2).
  const g: Factor = f[j] === 'R' ? 'H' : 'R';
  const dg: Factor = f[j] === 'R' ? 'D' : 'H';
  let total = C[j * k + j] * expectProduct(C, k, f.map((x, i) => (i === j ? dg : x)));
  for (let m = 0; m < k; m++) {
    if (m === j || C[j * k + m] === 0) continue;
    const { factor, scale } = derivative(f[m]);
    if (scale === 0) continue;
    total += C[j * k + m] * scale * expectProduct(C, k, f.map((x, i) => (i === j ? g : i === m ? factor : x)));
  }
  return total;
}

function derivative(f: Factor): { factor: Factor; scale: number } {
  if (f === 'H') return { factor: 'D', scale: 1 };
  if (f === 'R') return { factor: 'H', scale: 1 };
  if (f === 'R2') return { factor: 'R', scale: 2 };
  return { factor: 'D', scale: 0 }; // δ' never arises: δ factors are conditioned out first
}

/** Covariance of the other variables given z_d = 0. */
function condition(C: Float64Array, k: number, d: number): [Float64Array, number] {
  const idx = Array.from({ length: k }, (_, i) => i).filter((i) => i !== d);
  const out = new Float64Array((k - 1) * (k - 1));
  idx.forEach((a, r) => idx.forEach((b, s) => { out[r * (k - 1) + s] = C[a * k + b] - (C[a * k + d] * C[b * k + d]) / C[d * k + d]; }));
  return [out, k - 1];
}

/**
 * E[H(a) H(b) c⁺ d⁺] for (a, b, c, d) ~ N(0, C). Identical variables (the ODE asks for
 * E[H(λ_k)² …] and E[… (λ_u⁺)²] among others, whose 4×4 covariance is singular) are merged
 * first: H·H = H, H·R = R, R·R = R2; the distinct ones have a positive-definite covariance.
 */
export function reluI4(C: ArrayLike<number>): number {
  const fast = reluI4Distinct(C);
  if (fast !== null) return fast;
  const kinds: Factor[] = ['H', 'H', 'R', 'R'];
  const groups: number[] = [];
  const factors: Factor[] = [];
  const rep: number[] = []; // representative slot of each group
  for (let i = 0; i < 4; i++) {
    let g = -1;
    for (let q = 0; q < rep.length; q++) {
      const r = rep[q];
      if (C[i * 4 + i] === C[r * 4 + r] && C[i * 4 + r] === C[i * 4 + i] && [0, 1, 2, 3].every((m) => C[i * 4 + m] === C[r * 4 + m])) { g = q; break; }
    }
    if (g < 0) { rep.push(i); factors.push(kinds[i]); groups.push(rep.length - 1); continue; }
    groups.push(g);
    factors[g] = merge(factors[g], kinds[i]);
  }
  const k = rep.length;
  const S = new Float64Array(k * k);
  rep.forEach((a, r) => rep.forEach((b, s) => { S[r * k + s] = C[a * 4 + b]; }));
  return expectProduct(S, k, factors);
}

function merge(a: Factor, b: Factor): Factor {
  if (a === 'H') return b;
  if (b === 'H') return a;
  if (a === 'R' && b === 'R') return 'R2';
  throw new Error(`cannot merge ${a} and ${b}`);
}

/** Conditional covariance of the variables `keep` (3 of 4) given z_x = 0, into `out` (3 × 3). */
function conditionOn(C: ArrayLike<number>, x: number, keep: readonly number[], out: Float64Array): void {
  const cxx = C[x * 4 + x];
  for (let r = 0; r < 3; r++) for (let s = 0; s < 3; s++) {
    const i = keep[r], j = keep[s];
    out[r * 3 + s] = C[i * 4 + j] - (C[i * 4 + x] * C[j * 4 + x]) / cxx;
  }
}

/**
 * E[H(z₀) H(z₁) z₂⁺] for a 3 × 3 covariance S, by integration by parts in z₂ (as expectProduct):
 * Σ_y S_2y φ(0; S_yy) P(the other two > 0 | z_y = 0). null where a conditional variance is not positive.
 */
function hhr(S: Float64Array): number | null {
  let total = 0;
  for (let y = 0; y < 3; y++) {
    const syy = S[y * 3 + y];
    if (!(syy > 0)) return null;
    const i = y === 0 ? 1 : 0, j = y === 2 ? 1 : 2;
    const tii = S[i * 3 + i] - (S[i * 3 + y] * S[i * 3 + y]) / syy, tjj = S[j * 3 + j] - (S[j * 3 + y] * S[j * 3 + y]) / syy;
    if (!(tii > 0 && tjj > 0)) return null;
    const tij = S[i * 3 + j] - (S[i * 3 + y] * S[j * 3 + y]) / syy;
    total += S[2 * 3 + y] * phi0(syy) * orthant2(tij / Math.sqrt(tii * tjj));
  }
  return total;
}

const scratch3 = new Float64Array(9);
const KEEP: readonly (readonly number[])[] = [[1, 2, 3], [0, 2, 3], [0, 1, 3]];

/**
 * E[H(a) H(b) c⁺ d⁺] for four distinct variables, written out (the same integration by parts as
 * expectProduct, without its recursion and allocation; the ReLU committee ODE spends its time here):
 *   C_ca φ(C_aa) E[H_b H_c d⁺ | a = 0] + C_cb φ(C_bb) E[H_a H_c d⁺ | b = 0]
 *   + C_cc φ(C_cc) E[H_a H_b d⁺ | c = 0] + C_cd P(a, b, c, d > 0).
 * null when two variables coincide or a conditional variance is not positive (expectProduct then).
 */
function reluI4Distinct(C: ArrayLike<number>): number | null {
  for (let i = 0; i < 4; i++) for (let j = i + 1; j < 4; j++) {
    if (C[i * 4 + j] * C[i * 4 + j] >= C[i * 4 + i] * C[j * 4 + j]) return null; // |ρ| = 1: coincident (or degenerate)
  }
  let total = 0;
  for (let x = 0; x < 3; x++) {
    const cx = C[2 * 4 + x];
    if (cx === 0) continue;
    conditionOn(C, x, KEEP[x], scratch3);
    const e = hhr(scratch3);
    if (e === null) return null;
    total += cx * phi0(C[x * 4 + x]) * e;
  }
  const ccd = C[2 * 4 + 3];
  return ccd === 0 ? total : total + ccd * orthant4(C);
}
