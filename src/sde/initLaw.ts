/**
 * The exact law of the initial overlaps of Gaussian weights in dimension N, drawn without the
 * weights (so at any N, 10⁹ included): student rows w_k ~ N(0, σ² I_N), teacher rows either
 * orthonormalised to norm √N (P = I) or i.i.d. N(0, I_N) (P = W*W*ᵀ/N ~ Wishart_{p*}(N, I)/N).
 *
 * Given the teacher, split each w_k into its part in the teacher's row space and the rest:
 *   M = W W*ᵀ/N,  rows M_k ~ N(0, σ² P/N) independently, i.e. M = (σ/√N) G Lᵀ, L Lᵀ = P, G_kj ~ N(0,1)   (1)
 *   Q = M P⁻¹ Mᵀ + (σ²/N) Wishart_p(N − p*, I),  the second term independent of M                 (2)
 * ((2): the orthogonal parts are N − p* independent Gaussian coordinates per row). Wishart draws by
 * Bartlett's decomposition: W = A Aᵀ, A lower triangular, A_ii² ~ χ²_{n−i}, A_ij ~ N(0,1) (i > j).
 * χ²_k = 2 Gamma(k/2) by Marsaglia & Tsang (2000), exact for every shape (shape < 1 by boosting).
 */
import type { Overlaps } from '../model/overlaps.js';
import type { Rng } from '../random/rng.js';
import { ConfigError } from '../model/errors.js';
import { pow } from '../math/pow.js';

function uniform(rng: Rng): number {
  return (rng.nextUint32() + 0.5) / 4294967296;
}

/** Gamma(shape, 1) by Marsaglia–Tsang. */
export function gammaDraw(shape: number, rng: Rng): number {
  if (shape < 1) return gammaDraw(shape + 1, rng) * pow(uniform(rng), 1 / shape);
  const d = shape - 1 / 3, c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number, v: number;
    do { x = rng.gaussian(); v = 1 + c * x; } while (v <= 0);
    v = v * v * v;
    const u = uniform(rng);
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** Wishart_p(n, I) by Bartlett (n ≥ p), row-major p×p. */
export function wishartDraw(p: number, n: number, rng: Rng): Float64Array {
  const A = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    A[i * p + i] = Math.sqrt(2 * gammaDraw((n - i) / 2, rng));
    for (let j = 0; j < i; j++) A[i * p + j] = rng.gaussian();
  }
  const W = new Float64Array(p * p);
  for (let i = 0; i < p; i++) for (let j = 0; j <= i; j++) {
    let s = 0;
    for (let k = 0; k <= j; k++) s += A[i * p + k] * A[j * p + k];
    W[i * p + j] = W[j * p + i] = s;
  }
  return W;
}

/** Initial overlaps of Gaussian student weights of variance σ² and the given teacher kind, in dimension N, from the law (1)–(2). */
export function drawInitialOverlaps(p: number, pStar: number, N: number, variance: number, teacher: 'gaussian' | 'orthonormal', rng: Rng): Overlaps {
  if (N < p + pStar) throw new ConfigError('N', `must be ≥ p + p* = ${p + pStar} to draw initial overlaps (got ${N})`);
  let P: Float64Array;
  if (teacher === 'orthonormal') { P = new Float64Array(pStar * pStar); for (let i = 0; i < pStar; i++) P[i * pStar + i] = 1; }
  else { P = wishartDraw(pStar, N, rng); for (let i = 0; i < P.length; i++) P[i] /= N; }
  // L Lᵀ = P (Cholesky) and P⁻¹ = L⁻ᵀ L⁻¹; M P⁻¹ Mᵀ = (σ²/N) G Gᵀ since M = (σ/√N) G Lᵀ.
  const L = new Float64Array(pStar * pStar);
  for (let i = 0; i < pStar; i++) for (let j = 0; j <= i; j++) {
    let s = P[i * pStar + j];
    for (let k = 0; k < j; k++) s -= L[i * pStar + k] * L[j * pStar + k];
    L[i * pStar + j] = i === j ? Math.sqrt(s) : s / L[j * pStar + j];
  }
  const G = new Float64Array(p * pStar);
  rng.fillGaussian(G);
  const sc = Math.sqrt(variance / N);
  const M = new Float64Array(p * pStar);
  for (let k = 0; k < p; k++) for (let j = 0; j < pStar; j++) {
    let s = 0;
    for (let l = 0; l <= j; l++) s += G[k * pStar + l] * L[j * pStar + l];
    M[k * pStar + j] = sc * s;
  }
  const Wp = wishartDraw(p, N - pStar, rng);
  const Q = new Float64Array(p * p);
  for (let k = 0; k < p; k++) for (let l = 0; l < p; l++) {
    let s = 0;
    for (let j = 0; j < pStar; j++) s += G[k * pStar + j] * G[l * pStar + j];
    Q[k * p + l] = (variance / N) * (s + Wp[k * p + l]);
  }
  return { p, pStar, Q, M, P };
}
