/**
 * trajectory.npz, the run folder's arrays for numpy (issue 19 §2; keys in the README):
 *   alpha (T), t (T, src/model/time.ts), loss (runs × T), Q (runs × T × p × p, full and
 *   symmetric), M (runs × T × p × p*), v (runs × T × p, only when the second layer is trained),
 *   status (runs, strings), loss_floor (runs × T, ODE only), P (p* × p*), and the config as JSON
 *   in `config` (a 0-d string array: `json.loads(d['config'][()])`) with `onepass_version`.
 * The ODE is one run. `onepass compare` holds both solvers in one file: their arrays prefixed
 * `ode_` and `sgd_` (ode_loss, sgd_Q, …) over the shared alpha, t, P and config.
 * Q and M are NaN at the saved α that kept no overlaps (config saveOverlaps). A run that stopped
 * early (diverged or failed) is padded with NaN after its last saved α, so
 * every run has the full grid; its `status` says why. Per-run arrays, not ensemble means: the
 * mean is `d['loss'].mean(axis=0)` (np.nanmean once a run diverged).
 * Core module: plain data, no Node API.
 */
import type { Trajectory } from './trajectory.js';
import type { Config } from './config.js';
import { timeOf } from './time.js';
import { f8Entry, stringEntry, writeNpz, type NpzEntry } from './npy.js';
import { VERSION } from '../version.js';

/** The runs of one solver, and the prefix of their keys ('' in a single-solver file). */
export interface RunGroup { readonly prefix: '' | 'ode_' | 'sgd_'; readonly runs: readonly Trajectory[] }

/** The common save grid: the longest run's α, of which every other run's α must be a prefix. */
function commonGrid(groups: readonly RunGroup[]): Float64Array {
  const all = groups.flatMap((g) => g.runs);
  const grid = all.reduce((a, t) => (t.alpha.length > a.length ? t.alpha : a), all[0].alpha);
  for (const t of all) for (let i = 0; i < t.alpha.length; i++) {
    if (t.alpha[i] !== grid[i]) throw new Error(`trajectory.npz: the runs do not share one save grid (α ${t.alpha[i]} against ${grid[i]} at index ${i})`);
  }
  return grid;
}

/** The npz entries of `groups` (see the module header), each array produced in chunks. */
export function trajectoryNpzEntries(config: Config, groups: readonly RunGroup[]): NpzEntry[] {
  if (groups.length === 0 || groups.some((g) => g.runs.length === 0)) throw new Error('trajectory.npz: no runs');
  const alpha = commonGrid(groups);
  const T = alpha.length;
  const { p, pStar } = groups[0].runs[0];
  const entries: NpzEntry[] = [
    f8Entry('alpha', [T], (emit) => emit(alpha)),
    f8Entry('t', [T], (emit) => emit(timeOf(config, alpha))),
  ];
  /** Per run and saved α, `size` numbers picked from the run, NaN past its last saved α and where it kept no overlaps. */
  const perRun = (name: string, runs: readonly Trajectory[], inner: number[], pick: (t: Trajectory, i: number) => ArrayLike<number> | number) => {
    const size = inner.reduce((a, b) => a * b, 1);
    return f8Entry(name, [runs.length, T, ...inner], (emit) => {
      const pad = new Float64Array(size).fill(NaN);
      const one = new Float64Array(1);
      for (const t of runs) for (let i = 0; i < T; i++) {
        if (i >= t.alpha.length) { emit(pad); continue; }
        const v = pick(t, i);
        // A saved α that kept no overlaps (config saveOverlaps) has empty Q and M: NaN there too.
        if (typeof v === 'number') { one[0] = v; emit(one); } else if (v.length < size) emit(pad); else emit(v instanceof Float64Array ? v : Float64Array.from(v));
      }
    });
  };
  for (const { prefix, runs } of groups) {
    entries.push(perRun(`${prefix}loss`, runs, [], (t, i) => t.loss[i]));
    if (runs.every((t) => t.lossFloor)) entries.push(perRun(`${prefix}loss_floor`, runs, [], (t, i) => t.lossFloor![i]));
    entries.push(perRun(`${prefix}Q`, runs, [p, p], (t, i) => t.Q[i]));
    entries.push(perRun(`${prefix}M`, runs, [p, pStar], (t, i) => t.M[i]));
    if (runs.every((t) => t.v)) entries.push(perRun(`${prefix}v`, runs, [p], (t, i) => t.v![i]));
    entries.push(stringEntry(`${prefix}status`, runs.map((t) => t.status)));
  }
  entries.push(f8Entry('P', [pStar, pStar], (emit) => emit(groups[0].runs[0].P)));
  entries.push(stringEntry('config', JSON.stringify(config)));
  entries.push(stringEntry('onepass_version', VERSION));
  return entries;
}

/**
 * trajectory.npz of `groups` streamed into `write` (see the module header). Deflated (as
 * `np.savez_compressed`) when the config keeps overlaps at only some save points: its Q and M are
 * then mostly NaN, which deflates about a thousandfold (p = 256, 200 save points, "none": Q was
 * 105 MB). Real float64 data deflates by a few per cent at ≈ 20 MB/s of CPU (measured: 64 MB of
 * smooth doubles to 59.6 MB in 3.5 s), so a file of kept overlaps is stored as it is.
 */
export function writeTrajectoryNpz(config: Config, groups: readonly RunGroup[], write: (chunk: Uint8Array) => void): void {
  writeNpz(trajectoryNpzEntries(config, groups), write, { compress: config.saveOverlaps !== 'all' });
}
