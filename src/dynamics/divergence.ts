/**
 * When a run has diverged: the student norms (diagonal of Q) exploded far beyond any scale of
 * the problem, or became non-finite. Shared by the ODE and the simulation so both say the same.
 * The message states only what was observed (where, which norm, how large); why it happened is
 * for `diagnoseDivergence` (src/analysis/diagnosis.ts), which compares with the ODE.
 */
import { trace } from '../linalg/matrix.js';
import type { Overlaps } from '../model/overlaps.js';
import { formatTime, type TimeConfig } from '../model/time.js';

/** Q entries beyond this multiple of the natural scale (initial Q, P, 1) mean divergence. */
export const DIVERGENCE_FACTOR = 1e3;

/** A detected divergence: at α, the student norm Q[unit][unit] reached `value` (maybe non-finite). */
export interface DivergenceEvent {
  readonly alpha: number;
  readonly unit: number;
  readonly value: number;
  /** The threshold it crossed: DIVERGENCE_FACTOR × the natural scale of the problem. */
  readonly limit: number;
}

/** Returns a checker (α, Q) → the divergence event or null, for a run started from `initial`. */
export function divergenceCheck(initial: Overlaps): (alpha: number, Q: ArrayLike<number>) => DivergenceEvent | null {
  const { p, pStar } = initial;
  let scale = 1;
  for (const v of initial.Q) scale = Math.max(scale, Math.abs(v));
  scale = Math.max(scale, Math.abs(trace(initial.P, pStar)) / pStar);
  const limit = DIVERGENCE_FACTOR * scale;
  return (alpha, Q) => {
    for (let k = 0; k < p; k++) {
      const q = Q[k * p + k];
      if (!Number.isFinite(q) || Math.abs(q) > limit) return { alpha, unit: k, value: q, limit };
    }
    return null;
  };
}

/** The observation, in words: "diverged at α = …: the student norm Q[k][k] reached … (> …)". */
export function divergenceMessage(e: DivergenceEvent, time?: TimeConfig): string {
  const value = Number.isFinite(e.value) ? `${e.value.toExponential(2)} (above ${e.limit.toExponential(0)} = ${DIVERGENCE_FACTOR} × the initial scale)` : `${e.value}`;
  // In the config's time unit (src/model/time.ts) when the solver knows it.
  const at = time ? formatTime(time, e.alpha, 4) : `α = ${e.alpha.toPrecision(4)}`;
  return `diverged at ${at}: the student norm Q[${e.unit}][${e.unit}] reached ${value}`;
}
