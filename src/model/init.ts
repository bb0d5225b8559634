/**
 * Initial conditions: random teacher and student weights, and weights that realise given
 * overlaps exactly. The ODE starts from the overlaps of the very weights the simulation uses,
 * so the two are comparable run by run.
 */
import { Matrix, EigenvalueDecomposition } from 'ml-matrix';
import type { Rng } from '../random/rng.js';
import { jointCovariance, type Overlaps, type Weights } from './overlaps.js';
import { ConfigError } from './errors.js';

export { isOverlapInit } from './initKind.js';

/** Teacher rows: i.i.d. N(0, 1) entries (P ≈ I + O(1/√N)), or orthonormalised so P = I exactly. */
export function teacherWeights(kind: 'gaussian' | 'orthonormal', pStar: number, N: number, rng: Rng): Float64Array {
  const T = new Float64Array(pStar * N);
  rng.fillGaussian(T);
  if (kind === 'orthonormal') orthonormaliseRows(T, pStar, N, Math.sqrt(N));
  return T;
}

/** Student rows with i.i.d. N(0, σ²) entries, so Q ≈ σ² I and M = O(σ/√N). */
export function studentWeights(p: number, N: number, variance: number, rng: Rng): Float64Array {
  const W = new Float64Array(p * N);
  rng.fillGaussian(W);
  const s = Math.sqrt(variance);
  for (let i = 0; i < W.length; i++) W[i] *= s;
  return W;
}

/** Modified Gram–Schmidt on the rows of A (r×N), each row then scaled to norm `norm`. */
function orthonormaliseRows(A: Float64Array, r: number, N: number, norm: number): void {
  for (let i = 0; i < r; i++) {
    const ri = A.subarray(i * N, (i + 1) * N);
    for (let pass = 0; pass < 2; pass++) { // twice is enough (Giraud et al.)
      for (let j = 0; j < i; j++) {
        const rj = A.subarray(j * N, (j + 1) * N);
        let d = 0;
        for (let n = 0; n < N; n++) d += ri[n] * rj[n];
        d /= norm * norm;
        for (let n = 0; n < N; n++) ri[n] -= d * rj[n];
      }
    }
    let s = 0;
    for (let n = 0; n < N; n++) s += ri[n] * ri[n];
    const f = norm / Math.sqrt(s);
    for (let n = 0; n < N; n++) ri[n] *= f;
  }
}

/**
 * Student and teacher weights in dimension N whose overlaps are exactly `o`: with C = V D Vᵀ
 * (C = [[Q, M], [Mᵀ, P]] positive semidefinite) and U an N×(p + p*) random orthonormal frame,
 * the rows of √N · V D^{1/2} Uᵀ have Gram matrix N·C.
 */
export function weightsWithOverlaps(o: Overlaps, N: number, rng: Rng): Weights {
  const { p, pStar } = o;
  const n = p + pStar;
  if (N < n) throw new ConfigError('N', `must be ≥ p + p* = ${n} for the simulation to realise explicit overlaps as weights (got N = ${N})`);
  const C = new Matrix(n, n);
  const flat = jointCovariance(o);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) C.set(i, j, flat[i * n + j]);
  const eig = new EigenvalueDecomposition(C, { assumeSymmetric: true });
  const V = eig.eigenvectorMatrix;
  const d = eig.realEigenvalues.map((x) => Math.sqrt(Math.max(x, 0)));
  const U = new Float64Array(n * N);
  rng.fillGaussian(U);
  orthonormaliseRows(U, n, N, 1);
  const rows = new Float64Array(n * N);
  const sqrtN = Math.sqrt(N);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < n; a++) {
      const coef = sqrtN * V.get(i, a) * d[a];
      if (coef === 0) continue;
      for (let m = 0; m < N; m++) rows[i * N + m] += coef * U[a * N + m];
    }
  }
  return { N, p, pStar, W: rows.slice(0, p * N), teacher: rows.slice(p * N) };
}
