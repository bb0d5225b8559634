/**
 * Implicit bias on the zero-loss manifold of the quadratic network (p ≥ p*).
 *
 * Zero loss needs WᵀW/p = W*ᵀW* / p* (the two quadratic forms agree for every x), so the
 * solutions are W = R W* with R = √(p/p*)·O, O a p×p* matrix with orthonormal columns: a
 * Stiefel manifold of dimension p p* − p*(p*+1)/2, continuous for p > 1. Distances in weight
 * space, normalised by √N, follow from the overlaps alone:
 *   ‖W − R W*‖²/N = tr Q − 2 tr(Rᵀ M) + (p/p*) tr P       (tr(R P Rᵀ) = (p/p*) tr P on the manifold).
 * The solution closest to W maximises tr(Rᵀ M): R = √(p/p*) · polar(M), polar(M) = M (MᵀM)^{−1/2}
 * (orthogonal Procrustes). A Haar-random solution has E[R] = 0, so its root-mean-square distance
 * is √(tr Q + (p/p*) tr P).
 */
import { matmul, symmetricFunction, trace, frobeniusDot } from '../linalg/matrix.js';
import type { Overlaps } from '../model/overlaps.js';

/** The closest solution's R = √(p/p*) M (MᵀM)^{−1/2} (p×p*), null if M is rank deficient. */
export function closestSolution(o: Pick<Overlaps, 'p' | 'pStar' | 'M'>): Float64Array | null {
  const { p, pStar, M } = o;
  const MtM = new Float64Array(pStar * pStar);
  for (let a = 0; a < pStar; a++) for (let b = 0; b < pStar; b++) {
    let s = 0;
    for (let k = 0; k < p; k++) s += M[k * pStar + a] * M[k * pStar + b];
    MtM[a * pStar + b] = s;
  }
  const scale = Math.max(trace(MtM, pStar), 1e-300);
  let singular = false;
  const inv = symmetricFunction(MtM, pStar, (x) => { if (x <= 1e-12 * scale) singular = true; return 1 / Math.sqrt(Math.max(x, 1e-300)); });
  if (singular) return null;
  const R = matmul(M, inv, p, pStar, pStar);
  const f = Math.sqrt(p / pStar);
  return R.map((v) => f * v);
}

/** ‖W − R W*‖/√N from the overlaps of W, for R on the manifold. */
export function distanceToSolution(o: Overlaps, R: Float64Array): number {
  const { p, pStar, Q, M, P } = o;
  const d2 = trace(Q, p) - 2 * frobeniusDot(R, M) + (p / pStar) * trace(P, pStar);
  return Math.sqrt(Math.max(d2, 0));
}

export interface ImplicitBias {
  /** ‖W_final − W_closest‖/√N, W_closest the solution closest to the initial weights. */
  readonly distanceToClosest: number;
  /** Root-mean-square ‖W_final − W_random‖/√N over Haar-random solutions. */
  readonly distanceToTypical: number;
  /** ‖W_final − nearest solution‖/√N: how far from the manifold the run ended. */
  readonly distanceToManifold: number;
  /** ‖(R_reached − R_closest) W*‖/√N: the solution nearest the end point against the one closest to the start. */
  readonly reachedToClosest: number;
  /** The same for a Haar-random solution (root mean square): √(2 (p/p*) tr P). */
  readonly typicalBetweenSolutions: number;
  /** ‖W_initial − W_closest‖/√N. */
  readonly initialDistanceToClosest: number;
  /** Dimension of the zero-loss manifold, p p* − p*(p*+1)/2. */
  readonly manifoldDimension: number;
}

/** null when p < p* (no zero-loss manifold) or the initial M is rank deficient. */
export function implicitBias(initial: Overlaps, final: Overlaps): ImplicitBias | null {
  const { p, pStar } = initial;
  if (p < pStar) return null;
  const Rc = closestSolution(initial);
  const Rf = closestSolution(final);
  if (!Rc || !Rf) return null;
  return {
    distanceToClosest: distanceToSolution(final, Rc),
    distanceToTypical: Math.sqrt(Math.max(trace(final.Q, p) + (p / pStar) * trace(final.P, pStar), 0)),
    distanceToManifold: distanceToSolution(final, Rf),
    reachedToClosest: distanceBetweenSolutions(Rf, Rc, final.P, pStar),
    typicalBetweenSolutions: Math.sqrt(2 * (p / pStar) * trace(final.P, pStar)),
    initialDistanceToClosest: distanceToSolution(initial, Rc),
    manifoldDimension: p * pStar - (pStar * (pStar + 1)) / 2,
  };
}

/** ‖(R1 − R2) W*‖/√N = √tr((R1 − R2) P (R1 − R2)ᵀ). */
export function distanceBetweenSolutions(R1: Float64Array, R2: Float64Array, P: Float64Array, pStar: number): number {
  const D = R1.map((v, i) => v - R2[i]);
  const p = D.length / pStar;
  const DP = matmul(D, P, p, pStar, pStar);
  return Math.sqrt(Math.max(frobeniusDot(DP, D), 0));
}
