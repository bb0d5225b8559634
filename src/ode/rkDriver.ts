/**
 * What the embedded Runge–Kutta integrators (dopri5.ts, dop853.ts) share besides their stages:
 * the save points (kept states or a reused scratch buffer), the result, and Hairer's starting
 * step. No arithmetic of a step is here, so each method's bits are its own.
 */
import type { IntegrateOptions, IntegrateResult, VectorField } from './integrateTypes.js';
import { pow } from '../math/pow.js';

/** The options' defaults: rtol 10⁻¹⁰, atol 10⁻¹⁴, 10⁷ steps at most, from t0 (default 0) to the last save time. */
export function runSettings(opts: IntegrateOptions): { rtol: number; atol: number; maxSteps: number; t0: number; tFinal: number } {
  const t0 = opts.t0 ?? 0, saveAt = opts.saveAt;
  return { rtol: opts.rtol ?? 1e-10, atol: opts.atol ?? 1e-14, maxSteps: opts.maxSteps ?? 10_000_000, t0, tFinal: saveAt.length > 0 ? saveAt[saveAt.length - 1] : t0 };
}

export interface SaveBook {
  /** Index of the next save time to write. */
  next: number;
  /** A buffer for save point `index`: a fresh array if it is kept, else the scratch buffer. */
  stateFor(index: number): Float64Array;
  save(index: number, out: Float64Array): void;
}

/**
 * The save points of a run and its result. Save times ≤ t0 are written at once from y0; `finish`
 * builds the result from what was saved, the counts and the current state.
 */
export function saveBook(opts: IntegrateOptions, y: Float64Array, t0: number): SaveBook {
  const n = y.length, saveAt = opts.saveAt;
  // A save point's state: a fresh array if it is kept, else the scratch buffer (a wide run saves
  // the loss at every point and the p² overlaps at a few).
  const scratch = new Float64Array(n);
  const book: SaveBook & { outT: number[]; outY: Float64Array[] } = {
    next: 0, outT: [], outY: [],
    stateFor: (index) => (!opts.keepState || opts.keepState(index) ? new Float64Array(n) : scratch),
    save: (index, out) => {
      opts.onSave?.(index, saveAt[index], out);
      book.outT.push(saveAt[index]);
      book.outY.push(out === scratch ? NONE : out);
    },
  };
  while (book.next < saveAt.length && saveAt[book.next] <= t0) { const out = book.stateFor(book.next); out.set(y); book.save(book.next, out); book.next++; }
  return book;
}

const NONE = new Float64Array(0);

export interface Counts { t: number; accepted: number; rejected: number; nfev: number }

export function finishRun(book: SaveBook, c: Counts, y: Float64Array, status: IntegrateResult['status'], message: string, stopped = false): IntegrateResult {
  const b = book as SaveBook & { outT: number[]; outY: Float64Array[] };
  return {
    t: Float64Array.from(b.outT), y: b.outY, status, message, tEnd: c.t, acceptedSteps: c.accepted, rejectedSteps: c.rejected, rhsEvaluations: c.nfev,
    yEnd: Float64Array.from(y), ...(stopped ? { stopped } : {}),
  };
}

/**
 * Hairer's starting step (hinit; Hairer, Nørsett & Wanner I, §II.4) for a method of order
 * `order`: h ≈ 0.01 ‖y‖/‖f‖, refined by a second-derivative estimate. Uses one evaluation of f
 * (into k2; k3 is scratch).
 */
export function initialStep(f: VectorField, t: number, y: Float64Array, k1: Float64Array, k2: Float64Array, k3: Float64Array, yStage: Float64Array, tFinal: number, rtol: number, atol: number, order: number): number {
  const n = y.length;
  const rmsNorm = (v: Float64Array, ref: Float64Array) => {
    let s = 0;
    for (let i = 0; i < n; i++) { const q = v[i] / (atol + rtol * Math.abs(ref[i])); s += q * q; }
    return Math.sqrt(s / n);
  };
  const d0 = rmsNorm(y, y), d1 = rmsNorm(k1, y);
  let h0 = d0 < 1e-5 || d1 < 1e-5 ? 1e-6 : (0.01 * d0) / d1;
  h0 = Math.min(h0, tFinal - t);
  for (let i = 0; i < n; i++) yStage[i] = y[i] + h0 * k1[i];
  f(t + h0, yStage, k2);
  for (let i = 0; i < n; i++) k3[i] = k2[i] - k1[i];
  const d2 = rmsNorm(k3, y) / h0;
  // The probe state can leave the field's domain (a NaN right-hand side, e.g. a covariance that
  // is no longer positive definite next to a solution): no curvature estimate, so start at
  // h0/1000 and let the controller's rejections shrink the step further if needed.
  if (!Number.isFinite(d2)) return Math.min(h0 * 1e-3, tFinal - t);
  const h1 = Math.max(d1, d2) <= 1e-15 ? Math.max(1e-6, h0 * 1e-3) : pow(0.01 / Math.max(d1, d2), 1 / order);
  return Math.min(100 * h0, h1, tFinal - t);
}
