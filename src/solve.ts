/**
 * The one entry point of the solvers: `solve(problem, initial, { method })` (in the manner of
 * scipy's solve_ivp: one call shape, one options type, a result that says how the run ended).
 * Every shell (CLI commands, sweep points, the explorer's worker, the report) calls this rather
 * than the solvers themselves, so that a method means the same computation wherever it runs.
 *
 * - 'ode': the overlap ODEs of one-pass SGD at N → ∞, with the η² SGD-noise term (src/ode/solve.ts).
 * - 'gradientFlow': the same ODEs without the η² term, i.e. gradient flow on the population loss.
 * - 'sgd': finite-N one-pass SGD, an ensemble of the config's `runs` independent runs (or the
 *   runs listed in `runs`) from the same initial weights (src/sim/ensemble.ts); run r draws from
 *   the streams (seed, sgdInputs, r) and (seed, labelNoise, r), so it is the same trajectory
 *   whichever process computes it.
 */
import type { Problem, InitialCondition } from './model/problem.js';
import type { Trajectory, OdeStats, Ensemble } from './model/trajectory.js';
import { solveOde } from './ode/solve.js';
import { simulateEnsemble, type EnsembleOptions } from './sim/ensemble.js';

export type SolveMethod = 'ode' | 'gradientFlow' | 'sgd';

interface CommonSolveOptions {
  /** Save times α; default the problem's grid (problem.saveAt). */
  readonly saveAt?: ArrayLike<number>;
  /** Called now and then with the fraction of the whole computation done. */
  readonly onProgress?: (fraction: number) => void;
}

export interface OdeSolveOptions extends CommonSolveOptions {
  readonly method: 'ode' | 'gradientFlow';
  /** Relative and absolute tolerances of the state; default the config's rtol and atol. */
  readonly rtol?: number;
  readonly atol?: number;
  /** Which save points keep Q and M (default the config's `saveOverlaps`: "all", "none" or every k-th). */
  readonly saveOverlaps?: 'all' | 'none' | number;
}

/** SGD: an ensemble's runs (all, or those listed in `runs`), with checkpoints and streaming (EnsembleOptions). */
export interface SgdSolveOptions extends CommonSolveOptions, EnsembleOptions {
  readonly method: 'sgd';
}

/** The options of `solve`: one type, its fields narrowed by `method`. */
export type SolveOptions = OdeSolveOptions | SgdSolveOptions;

export function solve(problem: Problem, initial: InitialCondition, options: OdeSolveOptions): Trajectory<OdeStats>;
export function solve(problem: Problem, initial: InitialCondition, options: SgdSolveOptions): Ensemble;
export function solve(problem: Problem, initial: InitialCondition, options: SolveOptions): Trajectory<OdeStats> | Ensemble;
export function solve(problem: Problem, initial: InitialCondition, options: SolveOptions): Trajectory<OdeStats> | Ensemble {
  if (options.method !== 'sgd') {
    const { saveAt, onProgress, rtol, atol, saveOverlaps } = options;
    return solveOde(problem, initial.overlaps, { saveAt, onProgress, rtol, atol, saveOverlaps, sgdNoise: options.method === 'ode' });
  }
  return simulateEnsemble(problem, initial, options);
}
