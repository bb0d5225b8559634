/**
 * SDE against SGD, run by run statistics of two ensembles of the same config (src/sde/ensemble.ts,
 * src/sim/ensemble.ts): the escape α of each run (first α where the loss falls below half its
 * initial value, interpolated in (ln α, ln ε) as analysis/plateau.ts does), the final distance to
 * the solution closest to the initialisation as a fraction of the typical distance
 * (analysis/implicitBias.ts), and the two-sample Kolmogorov–Smirnov test of their distributions.
 */
import type { Trajectory } from '../model/trajectory.js';
import { firstCrossing } from './plateau.js';
import { implicitBias } from './implicitBias.js';

/** First α with ε < level·ε(α = 0) (NaN if never). */
export function escapeAlpha(t: Trajectory, level = 0.5): number {
  const c = firstCrossing(t.alpha, t.loss, t.alpha[0], level * t.loss[0]);
  return c ? c.alpha : NaN;
}

/** ‖W_final − W_closest‖ / ‖W_final − W_typical‖ (both /√N) from the run's first and last overlaps; NaN when undefined. */
export function finalBias(t: Trajectory): number {
  const last = t.alpha.length - 1;
  const b = implicitBias({ p: t.p, pStar: t.pStar, Q: t.Q[0], M: t.M[0], P: t.P }, { p: t.p, pStar: t.pStar, Q: t.Q[last], M: t.M[last], P: t.P });
  return b ? b.distanceToClosest / b.distanceToTypical : NaN;
}

export interface Summary { readonly mean: number; readonly std: number; readonly n: number }

export function summary(xs: readonly number[]): Summary {
  const v = xs.filter(Number.isFinite);
  const n = v.length;
  const mean = v.reduce((s, x) => s + x, 0) / n;
  const std = Math.sqrt(v.reduce((s, x) => s + (x - mean) * (x - mean), 0) / Math.max(n - 1, 1));
  return { mean, std, n };
}

/**
 * Two-sample Kolmogorov–Smirnov: D = sup |F_a − F_b| and its asymptotic p-value
 * Q_KS(λ), λ = (√n_e + 0.12 + 0.11/√n_e) D, n_e = n_a n_b/(n_a + n_b) (Stephens 1970; Numerical
 * Recipes §14.3), accurate for n_e ≳ 4.
 */
export function ks2(a: readonly number[], b: readonly number[]): { D: number; pValue: number } {
  const x = a.filter(Number.isFinite).sort((u, v) => u - v), y = b.filter(Number.isFinite).sort((u, v) => u - v);
  let i = 0, j = 0, D = 0;
  while (i < x.length && j < y.length) {
    const t = Math.min(x[i], y[j]);
    while (i < x.length && x[i] <= t) i++;
    while (j < y.length && y[j] <= t) j++;
    D = Math.max(D, Math.abs(i / x.length - j / y.length));
  }
  const ne = (x.length * y.length) / (x.length + y.length);
  const lam = (Math.sqrt(ne) + 0.12 + 0.11 / Math.sqrt(ne)) * D;
  let p = 0;
  for (let k = 1; k <= 100; k++) p += 2 * (k % 2 ? 1 : -1) * Math.exp(-2 * k * k * lam * lam);
  return { D, pValue: Math.min(1, Math.max(0, lam < 0.2 ? 1 : p)) };
}

export interface EnsembleComparison {
  readonly escape: { readonly sgd: Summary; readonly sde: Summary; readonly ks: { D: number; pValue: number } };
  readonly bias: { readonly sgd: Summary; readonly sde: Summary; readonly ks: { D: number; pValue: number } };
}

/** Escape α and final bias of two ensembles' runs, with their KS tests. */
export function compareEnsembles(sgd: readonly Trajectory[], sde: readonly Trajectory[]): EnsembleComparison {
  const e1 = sgd.map((t) => escapeAlpha(t)), e2 = sde.map((t) => escapeAlpha(t));
  const b1 = sgd.map(finalBias), b2 = sde.map(finalBias);
  return {
    escape: { sgd: summary(e1), sde: summary(e2), ks: ks2(e1, e2) },
    bias: { sgd: summary(b1), sde: summary(b2), ks: ks2(b1, b2) },
  };
}
