/**
 * The one time unit (issue 19 §3). The solvers count time in α = samples/N (steps/N at batch size 1); the config key `time`
 * chooses the unit every table, figure axis and message shows: "alpha" (default) or "t", the
 * learning-rate-weighted time in which each first-layer unit moves.
 *
 * Why t: one SGD step moves unit k by η·v_k·e·σ'(λ_k)·x/√N (src/sim/sgd.ts), so in α a unit
 * moves at the rate η·v. With the mean readout v = 1/p, at fixed η the escape α doubles with p
 * while t = ηα/p stays flat. Definition:
 *   t(α) = ∫₀^α η(α') dα' · s,   s = 1/p for readout "mean", s = 1 for readout "sum",
 * which is ηα/p (mean) and ηα (sum) at constant η. The readout key decides s even when
 * `studentReadout` gives explicit initial weights (the scale the readout stands for is 1/p or 1),
 * and a trained second layer does not change it (t counts the first layer's learning rate).
 * A schedule η(α) and a batch size n_b enter only through `learningRateIntegral` below: the
 * first layer moves at η(α)/n_b per unit α (src/ode/protocol.ts), so t = ∫₀^α η(α')/n_b dα' · s,
 * and the escape t does not depend on n_b at a fixed η/n_b.
 *
 * Core module: plain data, no Node API.
 */

import { integratedEta, type EtaSpec } from './schedule.js';

/** The time units a config can choose (config key `time`). */
export const TIME_UNITS = ['alpha', 't'] as const;
export type TimeUnit = (typeof TIME_UNITS)[number];

/** The config keys the conversion reads (the parsed Config has them). */
export interface TimeConfig {
  /** A constant or a schedule (src/model/schedule.ts). */
  readonly eta: EtaSpec;
  /** Samples per step (default 1). */
  readonly batchSize?: number;
  readonly p: number;
  readonly readout: 'mean' | 'sum';
  readonly time?: TimeUnit;
}

/** The per-unit scale s of the readout (see the header): 1/p for "mean", 1 for "sum". */
export function readoutScale(c: Pick<TimeConfig, 'p' | 'readout'>): number {
  return c.readout === 'mean' ? 1 / c.p : 1;
}

/**
 * ∫₀^α η(α') dα' at each α of `alpha`: ηα at constant η. The one place a learning-rate schedule
 * has to be integrated (exactly, from the schedule, not from the save grid).
 */
export function learningRateIntegral(c: Pick<TimeConfig, 'eta' | 'batchSize'>, alpha: ArrayLike<number>): Float64Array {
  const out = new Float64Array(alpha.length);
  const B = c.batchSize ?? 1;
  const eta = c.eta;
  // A constant η at batch 1: ηα exactly as before (η/1 = η).
  for (let i = 0; i < alpha.length; i++) out[i] = typeof eta === 'number' ? (eta / B) * alpha[i] : integratedEta(eta, alpha[i]) / B;
  return out;
}

/** t at each α of `alpha` (see the header). */
export function timeOf(c: Pick<TimeConfig, 'eta' | 'batchSize' | 'p' | 'readout'>, alpha: ArrayLike<number>): Float64Array {
  const s = readoutScale(c);
  const t = learningRateIntegral(c, alpha);
  for (let i = 0; i < t.length; i++) t[i] *= s;
  return t;
}

/** t of one α. */
export const timeAt = (c: Pick<TimeConfig, 'eta' | 'batchSize' | 'p' | 'readout'>, alpha: number): number => timeOf(c, [alpha])[0];

/** The definition of t in words for this config, e.g. "t = ηα/p" (for labels and documentation). */
export function timeDefinition(c: Pick<TimeConfig, 'readout'> & Partial<Pick<TimeConfig, 'eta' | 'batchSize'>>): string {
  const batch = (c.batchSize ?? 1) !== 1;
  const rate = c.eta !== undefined && typeof c.eta !== 'number' ? '∫η dα' : 'ηα';
  if (c.readout === 'mean') return batch ? `t = ${rate}/(n_b p)` : `t = ${rate}/p`;
  return batch ? `t = ${rate}/n_b` : `t = ${rate}`;
}

export interface TimeAxis {
  readonly unit: TimeUnit;
  /** The values in the chosen unit, one per α. */
  readonly values: Float64Array;
  /** Axis title for figures, e.g. "α = samples / N" or "t = ηα/p". */
  readonly title: string;
  /** Short symbol for tables and messages: "α" or "t". */
  readonly symbol: string;
  /** The CSV column of the chosen unit: "alpha" or "t". */
  readonly column: 'alpha' | 't';
}

/** The chosen unit's values and labels for `alpha` (plots, tables): what the shells show. */
export function timeAxis(c: TimeConfig, alpha: ArrayLike<number>): TimeAxis {
  if ((c.time ?? 'alpha') === 't') return { unit: 't', values: timeOf(c, alpha), title: timeDefinition(c), symbol: 't', column: 't' };
  return { unit: 'alpha', values: Float64Array.from(alpha), title: 'α = samples / N', symbol: 'α', column: 'alpha' };
}

/**
 * One α in the config's unit, for messages: "α = 80" (exact), or with time "t" the t first and
 * the α the solvers count in after it, "t = 10 (α = 80)". `digits` rounds both (default: α
 * exact, t to 6 significant digits, which hides the rounding of ηα/p).
 */
export function formatTime(c: TimeConfig, alpha: number, digits?: number): string {
  const show = (x: number, d: number | undefined) => String(d === undefined ? x : Number(x.toPrecision(d)));
  const a = show(alpha, digits);
  return (c.time ?? 'alpha') === 't' ? `t = ${show(timeAt(c, alpha), digits ?? 6)} (α = ${a})` : `α = ${a}`;
}
