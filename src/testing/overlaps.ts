/** Random ODE states for tests: packed (Q, M[, v]) from a random joint covariance. */
import type { Rng } from '../random/rng.js';
import { randomCovariance } from './stats.js';

/**
 * A random positive-definite joint covariance of p students and p* teachers, as the packed ODE
 * state y = [Q, M, v] (v appended when given) and the teacher overlap P.
 */
export function randomOverlapState(p: number, pStar: number, rng: Rng, v?: Float64Array): { y: Float64Array; P: Float64Array } {
  const n = p + pStar;
  const C = randomCovariance(n, rng);
  const P = Float64Array.from({ length: pStar * pStar }, (_, m) => C[(p + Math.floor(m / pStar)) * n + p + (m % pStar)]);
  const y = new Float64Array(p * p + p * pStar + (v ? p : 0));
  for (let k = 0; k < p; k++) {
    for (let l = 0; l < p; l++) y[k * p + l] = C[k * n + l];
    for (let j = 0; j < pStar; j++) y[p * p + k * pStar + j] = C[k * n + p + j];
  }
  if (v) y.set(v, p * p + p * pStar);
  return { y, P };
}
