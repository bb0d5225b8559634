/**
 * Orthant probabilities P(z > 0) of zero-mean Gaussian vectors, and the ReLU four-variable
 * expectation built from them. They depend on correlations only.
 *  - 2 variables: 1/4 + arcsin ρ/(2π) (Sheppard).
 *  - 4 variables: no closed form; along the path R(t) = (1 − t) I + t R, Plackett's identity
 *    ∂P/∂ρ_ij = φ₂(0, 0; ρ_ij) · P(other two > 0 | z_i = z_j = 0) turns it into a smooth 1-D
 *    integral from P(I) = 1/16, done by Gauss–Legendre quadrature.
 */
import { symmetricEigen } from '../model/matrix.js';

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

const LEGENDRE = legendreRule(48);

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

/** P(z₁, z₂, z₃, z₄ > 0) for z ~ N(0, C), C 4×4 positive definite. */
export function orthant4(C: ArrayLike<number>): number {
  const R = correlation(C, 4);
  const Rt = new Float64Array(16);
  let integral = 0;
  for (let q = 0; q < LEGENDRE.nodes.length; q++) {
    const t = LEGENDRE.nodes[q];
    for (let m = 0; m < 16; m++) Rt[m] = m % 5 === 0 ? 1 : t * R[m];
    let dP = 0;
    for (const [i, j, k, l] of PAIRS) {
      const rho = Rt[i * 4 + j];
      dP += (R[i * 4 + j] / (2 * Math.PI * Math.sqrt(1 - rho * rho))) * orthant2(conditionalCorrelation(Rt, i, j, k, l));
    }
    integral += LEGENDRE.weights[q] * dP;
  }
  return 1 / 16 + integral;
}

/** Density of N(0, v) at 0. */
const phi0 = (v: number) => 1 / Math.sqrt(2 * Math.PI * v);

/**
 * E[H(x) H(y) z⁺] for zero-mean (x, y, z) with covariance S (3×3), by Gaussian integration by
 * parts in z: Σ_{u ∈ {x,y,z}} S_zu φ_u(0) P(other two > 0 | u = 0).
 */
export function heavisideHeavisideRelu(S: ArrayLike<number>): number {
  let total = 0;
  for (let u = 0; u < 3; u++) {
    const [v, w] = [0, 1, 2].filter((k) => k !== u);
    const suu = S[u * 3 + u];
    const svv = S[v * 3 + v] - (S[v * 3 + u] ** 2) / suu;
    const sww = S[w * 3 + w] - (S[w * 3 + u] ** 2) / suu;
    const svw = S[v * 3 + w] - (S[v * 3 + u] * S[w * 3 + u]) / suu;
    total += S[2 * 3 + u] * phi0(suu) * orthant2(svw / Math.sqrt(svv * sww));
  }
  return total;
}

/**
 * E[H(a) H(b) c⁺ d⁺] for (a, b, c, d) ~ N(0, C): integration by parts in c gives
 *   Σ_{u ∈ {a,b,c}} C_cu φ_u(0) E[H H d⁺ | u = 0]  +  C_cd P(a, b, c, d > 0),
 * the conditional terms by `heavisideHeavisideRelu`, the last by `orthant4`.
 */
export function reluI4(C: ArrayLike<number>): number {
  let total = C[2 * 4 + 3] * orthant4(C);
  const S = new Float64Array(9);
  for (let u = 0; u < 3; u++) {
    const rest = [0, 1, 2, 3].filter((k) => k !== u); // the other two of (a, b, c), then d
    const cuu = C[u * 4 + u];
    for (let r = 0; r < 3; r++) for (let s = 0; s < 3; s++) {
      S[r * 3 + s] = C[rest[r] * 4 + rest[s]] - (C[rest[r] * 4 + u] * C[rest[s] * 4 + u]) / cuu;
    }
    total += C[2 * 4 + u] * phi0(cuu) * heavisideHeavisideRelu(S);
  }
  return total;
}
