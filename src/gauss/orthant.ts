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

/** Correlation of (z_k, z_l) given z_i = z_j = 0, for a correlation matrix R of side 4. */
function conditionalCorrelation(R: Float64Array, i: number, j: number, k: number, l: number): number {
  const rij = R[i * 4 + j];
  const det = 1 - rij * rij;
  // Schur complement S = R_{kl,kl} − R_{kl,ij} R_{ij,ij}⁻¹ R_{ij,kl}
  const proj = (u: number, v: number) => (R[u * 4 + i] * R[v * 4 + i] + R[u * 4 + j] * R[v * 4 + j] - rij * (R[u * 4 + i] * R[v * 4 + j] + R[u * 4 + j] * R[v * 4 + i])) / det;
  const skk = 1 - proj(k, k), sll = 1 - proj(l, l), skl = R[k * 4 + l] - proj(k, l);
  return skl / Math.sqrt(skk * sll);
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
  const Rt = new Float64Array(16);
  let integral = 0;
  const rule = (legendre48 ??= legendreRule(48));
  for (const [i, j, k, l] of PAIRS) {
    const rho = R[i * 4 + j];
    if (rho === 0) continue;
    const top = Math.asin(Math.max(-1, Math.min(1, rho)));
    let term = 0;
    for (let q = 0; q < rule.nodes.length; q++) {
      const theta = top * rule.nodes[q];
      const t = Math.sin(theta) / rho;
      for (let m = 0; m < 16; m++) Rt[m] = m % 5 === 0 ? 1 : t * R[m];
      term += rule.weights[q] * orthant2(conditionalCorrelation(Rt, i, j, k, l));
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
