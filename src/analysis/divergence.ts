/**
 * When a run has diverged: the student norms (diagonal of Q) exploded far beyond any scale of
 * the problem, or became non-finite. Shared by the ODE and the simulation so both say the same.
 */
import { trace } from '../model/matrix.js';
import type { Overlaps } from '../model/overlaps.js';

/** Q entries beyond this multiple of the natural scale (initial Q, P, 1) mean divergence. */
export const DIVERGENCE_FACTOR = 1e3;

/** Returns a checker (α, Q) → reason or null, for a run started from `initial`. */
export function divergenceCheck(initial: Overlaps, eta: number): (alpha: number, Q: ArrayLike<number>) => string | null {
  const { p, pStar } = initial;
  let scale = 1;
  for (const v of initial.Q) scale = Math.max(scale, Math.abs(v));
  scale = Math.max(scale, Math.abs(trace(initial.P, pStar)) / pStar);
  const limit = DIVERGENCE_FACTOR * scale;
  return (alpha, Q) => {
    for (let k = 0; k < p; k++) {
      const q = Q[k * p + k];
      if (!Number.isFinite(q) || Math.abs(q) > limit) {
        return `diverged at α = ${alpha.toPrecision(4)}: the student norm Q[${k}][${k}] reached ${Number.isFinite(q) ? q.toExponential(2) : q} ` +
          `(η = ${eta} is beyond the stability limit of SGD for this setup; try a smaller eta)`;
      }
    }
    return null;
  };
}
