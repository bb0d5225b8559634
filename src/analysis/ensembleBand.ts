/**
 * The loss band of an ensemble of runs (SGD or SDE): at each saved α that every run reached, the
 * mean loss (as summarizeEnsemble, src/sim/ensemble.ts) and two quantiles over the runs (R-7
 * linear interpolation, d3-array's `quantile`), e.g. the 10 % and 90 % of the explorer's band.
 */
import { quantile } from 'd3-array';
import type { Trajectory, SgdStats, SdeStats } from '../model/trajectory.js';
import { summarizeEnsemble } from '../sim/ensemble.js';

export interface LossBand {
  readonly alpha: Float64Array;
  readonly mean: Float64Array;
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  /** The quantile levels of lo and hi. */
  readonly levels: readonly [number, number];
}

export function lossBand(runs: readonly Trajectory<SgdStats | SdeStats>[], lo = 0.1, hi = 0.9): LossBand {
  if (!(runs.length > 0 && lo >= 0 && lo <= hi && hi <= 1)) throw new RangeError(`lossBand: needs runs and 0 ≤ lo ≤ hi ≤ 1 (got ${runs.length} runs, ${lo}, ${hi})`);
  const e = summarizeEnsemble([...runs], 0);
  const n = e.alpha.length, L = new Float64Array(n), H = new Float64Array(n), at = new Float64Array(runs.length);
  for (let i = 0; i < n; i++) {
    runs.forEach((t, r) => { at[r] = t.loss[i]; });
    L[i] = quantile(at, lo)!;
    H[i] = quantile(at, hi)!;
  }
  return { alpha: e.alpha, mean: e.lossMean, lo: L, hi: H, levels: [lo, hi] };
}
