/**
 * Helpers for statistical tests: Monte-Carlo means with their standard errors, and random
 * positive-definite covariances. Used by the *.test.ts files only.
 */
import { Rng } from '../random/rng.js';

export interface McEstimate {
  mean: number;
  /** Standard error of the mean. */
  se: number;
}

/** Means and standard errors of several functions of the same samples. */
export function monteCarlo(samples: number, draw: (out: Float64Array) => void, dim: number, fns: ((z: Float64Array) => number)[]): McEstimate[] {
  const z = new Float64Array(dim);
  const s = new Float64Array(fns.length), s2 = new Float64Array(fns.length);
  for (let n = 0; n < samples; n++) {
    draw(z);
    for (let f = 0; f < fns.length; f++) { const v = fns[f](z); s[f] += v; s2[f] += v * v; }
  }
  return fns.map((_, f) => {
    const mean = s[f] / samples;
    const variance = Math.max(s2[f] / samples - mean * mean, 0);
    return { mean, se: Math.sqrt(variance / samples) };
  });
}

/** A sampler of z ~ N(0, C) through the Cholesky factor of C (C positive definite, side n). */
export function gaussianSampler(C: ArrayLike<number>, n: number, rng: Rng): (out: Float64Array) => void {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = C[i * n + j];
      for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
      L[i * n + j] = i === j ? Math.sqrt(s) : s / L[j * n + j];
    }
  }
  const g = new Float64Array(n);
  return (out) => {
    rng.fillGaussian(g);
    for (let i = 0; i < n; i++) { let s = 0; for (let k = 0; k <= i; k++) s += L[i * n + k] * g[k]; out[i] = s; }
  };
}

/** A random covariance A Aᵀ/n + εI with O(1) entries and non-trivial correlations. */
export function randomCovariance(n: number, rng: Rng): Float64Array {
  const A = new Float64Array(n * n);
  rng.fillGaussian(A);
  const C = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += A[i * n + k] * A[j * n + k];
    C[i * n + j] = s / n + (i === j ? 0.1 : 0);
  }
  return C;
}

/** Random overlaps: a random positive-definite joint covariance (randomCovariance) split into Q (p×p), M (p×p*), P (p*×p*). */
export function randomOverlaps(p: number, pStar: number, rng: Rng): { p: number; pStar: number; Q: Float64Array; M: Float64Array; P: Float64Array } {
  const n = p + pStar;
  const C = randomCovariance(n, rng);
  const Q = new Float64Array(p * p), M = new Float64Array(p * pStar), P = new Float64Array(pStar * pStar);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < p; j++) Q[i * p + j] = C[i * n + j];
    for (let j = 0; j < pStar; j++) M[i * pStar + j] = C[i * n + p + j];
  }
  for (let i = 0; i < pStar; i++) for (let j = 0; j < pStar; j++) P[i * pStar + j] = C[(p + i) * n + p + j];
  return { p, pStar, Q, M, P };
}
