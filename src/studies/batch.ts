/**
 * The batch-size study: at a fixed budget of samples, how the time to escape the plateau and to
 * reach a target loss depend on the mini-batch size n_b when η is set to a fixed fraction of each
 * batch size's own stability limit (src/studies/stability.ts, measured for each n_b by its own
 * bisection). Times are reported in samples (α·N, α = samples/N) and in SGD steps (α·N/n_b).
 *
 * What the batch ODE (src/ode/protocol.ts, eqs. 4–6) predicts, and this study measures rather than
 * assumes: the ODE depends on η and n_b only through η/n_b, so the limit grows ∝ n_b, η = f·η_c(n_b)
 * gives the same η/n_b at every n_b, and the curve in samples is the same; in steps it is n_b
 * times shorter. (At finite N, `onepass sim` with these η's shows where that stops holding.)
 */
import type { Config } from '../model/config.js';
import { ConfigError } from '../model/errors.js';
import { makeProblem, initialCondition } from '../model/problem.js';
import { scaleEta, initialEta } from '../model/schedule.js';
import { solveOde } from '../ode/solve.js';
import { stabilityLimit } from './stability.js';
import { analyzeLossCurve, firstCrossing } from '../analysis/plateau.js';
import type { Trajectory } from '../model/trajectory.js';

export interface BatchStudyOptions {
  /** Batch sizes n_b (integers ≥ 1). */
  readonly batchSizes: readonly number[];
  /** η = fraction · η_c(n_b), 0 < fraction < 1. */
  readonly fraction: number;
  /** The target loss ε_target (the time to reach it is reported). */
  readonly target: number;
  readonly onProgress?: (fraction: number) => void;
}

export interface BatchStudyPoint {
  readonly batchSize: number;
  /** The stability limit bracket over α ≤ alphaMax at this batch size (η at α = 0 for a schedule). */
  readonly limit: { readonly stable: number | null; readonly unstable: number | null };
  /** The η run (fraction × stable limit); null when no stable η was found. */
  readonly eta: number | null;
  readonly status: Trajectory['status'] | 'no stable η';
  readonly escapeAlpha: number | null;
  readonly targetAlpha: number | null;
  /** The same times in samples (α·N) and in SGD steps (α·N/n_b). */
  readonly escapeSamples: number | null;
  readonly escapeSteps: number | null;
  readonly targetSamples: number | null;
  readonly targetSteps: number | null;
  readonly finalLoss: number | null;
  readonly trajectory: Trajectory | null;
}

export interface BatchStudy {
  readonly points: BatchStudyPoint[];
  readonly fraction: number;
  readonly target: number;
  readonly N: number;
  readonly alphaMax: number;
}

export function batchStudy(config: Config, options: BatchStudyOptions): BatchStudy {
  const { batchSizes, fraction, target } = options;
  if (!(fraction > 0 && fraction < 1)) throw new ConfigError('fraction', `must be in (0, 1) (the fraction of the stability limit; got ${fraction})`);
  if (!(target > 0)) throw new ConfigError('target', `must be > 0 (the target loss; got ${target})`);
  for (const b of batchSizes) if (!(Number.isInteger(b) && b >= 1)) throw new ConfigError('batch-sizes', `must be integers ≥ 1 (got ${b})`);
  const initial = initialCondition(config).overlaps;
  const points: BatchStudyPoint[] = [];
  const eta0 = initialEta(config.eta);
  for (const [i, batchSize] of batchSizes.entries()) {
    // Each batch size's limit is bisected on its own, from n_b times the config's η (a schedule scaled as a whole).
    const c: Config = { ...config, batchSize, eta: scaleEta(config.eta, batchSize) };
    const limit = stabilityLimit(c, { initial, tolerance: 0.01 });
    const eta = limit.stable === null ? null : fraction * limit.stable;
    const none = { batchSize, limit: { stable: limit.stable, unstable: limit.unstable }, eta, escapeAlpha: null, targetAlpha: null, escapeSamples: null, escapeSteps: null, targetSamples: null, targetSteps: null, finalLoss: null, trajectory: null };
    if (eta === null) { points.push({ ...none, status: 'no stable η' }); continue; }
    const t = solveOde(makeProblem({ ...c, eta: scaleEta(config.eta, eta / eta0) }), initial);
    const curve = analyzeLossCurve(t.alpha, t.loss, { floor: config.noise / 2 });
    const hit = firstCrossing(t.alpha, t.loss, 0, target);
    const samples = (a: number | null) => (a === null ? null : a * config.N);
    const steps = (a: number | null) => (a === null ? null : (a * config.N) / batchSize);
    const targetAlpha = hit?.alpha ?? null;
    points.push({
      ...none, status: t.status, escapeAlpha: curve.escapeAlpha, targetAlpha,
      escapeSamples: samples(curve.escapeAlpha), escapeSteps: steps(curve.escapeAlpha),
      targetSamples: samples(targetAlpha), targetSteps: steps(targetAlpha),
      finalLoss: t.loss[t.loss.length - 1], trajectory: t,
    });
    options.onProgress?.((i + 1) / batchSizes.length);
  }
  return { points, fraction, target, N: config.N, alphaMax: config.alphaMax };
}
