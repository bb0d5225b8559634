/**
 * One sweep point computed: the ODE, the SGD ensemble or the SDE ensemble (src/sde/) of a resolved
 * config, reduced to the numbers a phase diagram needs (final loss, escape α, plateau loss, status,
 * and for SGD and SDE the largest deviation of their mean loss from the ODE started from the same
 * overlaps). The SDE ensemble is `onepass sde`'s (`simulateSdeEnsemble`: the same runs, bit for
 * bit, from the config's seeds, which the sweep derives per point). Core module, no Node API.
 */
import type { Config } from '../model/config.js';
import type { RunStatus, Trajectory } from '../model/trajectory.js';
import { npzBytes } from '../model/npy.js';
import { trajectoryNpzEntries } from '../model/trajectoryNpz.js';
import { makeProblem, initialCondition } from '../model/problem.js';
import { solve } from '../solve.js';
import { analyzeLossCurve } from '../analysis/plateau.js';
import { lossDeviation } from '../analysis/compare.js';
import type { SweepSolver } from './grid.js';
import { simulateSdeEnsemble, sdeCommonOverlaps } from '../sde/ensemble.js';

export interface PointResult {
  readonly status: RunStatus;
  readonly message: string;
  /** Loss at alphaMax (SGD: mean over runs); null when the run did not complete (a diverged run's last finite loss is not a final loss). */
  readonly finalLoss: number | null;
  /** First α at which the loss falls below half the last plateau's level (`analyzeLossCurve`). */
  readonly escapeAlpha: number | null;
  readonly plateauLoss: number | null;
  /** SGD and SDE: max_α |ε̄ − ε_ODE| over the save times (ε̄ the ensemble's mean); null unless both completed (over a common prefix it would understate). */
  readonly maxDeviation: number | null;
  /** Wall-clock seconds of this computation. */
  readonly seconds: number;
}

const finiteOrNull = (x: number | undefined | null) => (x === undefined || x === null || !Number.isFinite(x) ? null : x);

/** A point's numbers and the trajectories they came from (the ODE's one run, or every SGD or SDE run). */
export function computePoint(config: Config, solver: SweepSolver): PointResult {
  return computePointRuns(config, solver).result;
}

/**
 * The point's result and its trajectory.npz bytes (src/model/trajectoryNpz.ts), deflated, as a
 * sweep stores them: a point that keeps no overlap matrices stores its NaN-filled Q and M in a
 * few hundred kB instead of T·p²·8 bytes (p = 256, 200 save points: 105 MB).
 */
export function computePointWithNpz(config: Config, solver: SweepSolver): PointResult & { readonly npz: Uint8Array } {
  const { result, runs } = computePointRuns(config, solver);
  return { ...result, npz: npzBytes(trajectoryNpzEntries(config, [{ prefix: '', runs }]), { compress: true }) };
}

function computePointRuns(config: Config, solver: SweepSolver): { result: PointResult; runs: readonly Trajectory[] } {
  const t0 = performance.now();
  const problem = makeProblem(config);
  // The SDE starts from the overlaps `onepass sde` starts from (those of the config's weights, or
  // a draw from their law when N-dimensional weights would not fit), and so does its ODE.
  const initial = solver === 'sde' ? { overlaps: sdeCommonOverlaps(problem) } : initialCondition(config);
  // The ODE is needed for SGD and SDE too (the deviation); it costs milliseconds next to their runs.
  const ode = solve(problem, initial, { method: 'ode' });
  let alpha = ode.alpha, loss = ode.loss, status = ode.status, message = ode.message;
  let maxDeviation: number | null = null;
  let runs: readonly Trajectory[] = [ode];
  if (solver !== 'ode') {
    const e = solver === 'sgd' ? solve(problem, initial, { method: 'sgd' }) : simulateSdeEnsemble(problem);
    runs = e.runs;
    alpha = e.alpha; loss = e.lossMean;
    const bad = e.runs.find((r) => r.status !== 'completed');
    status = bad?.status ?? 'completed';
    message = bad?.message ?? e.runs[0].message;
    if (status === 'completed' && ode.status === 'completed') maxDeviation = lossDeviation(ode, { alpha, loss }).maxAbs;
  }
  // Label noise leaves a floor Δ/2 under the loss: fits of decay rates are taken above it.
  const a = loss.length > 1 ? analyzeLossCurve(alpha, loss, { floor: config.noise / 2 }) : null;
  const result: PointResult = {
    status, message,
    finalLoss: status === 'completed' ? finiteOrNull(loss[loss.length - 1]) : null,
    escapeAlpha: finiteOrNull(a?.escapeAlpha),
    plateauLoss: finiteOrNull(a?.plateau?.loss),
    maxDeviation: finiteOrNull(maxDeviation),
    seconds: (performance.now() - t0) / 1000,
  };
  return { result, runs };
}
