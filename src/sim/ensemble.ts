/**
 * Several SGD runs of one problem from the same initial weights with different sample streams
 * (seeds seed, seed + 1, …), and the mean and spread of their loss at each saved α.
 */
import type { Problem } from '../model/problem.js';
import type { InitialCondition } from '../model/problem.js';
import type { Trajectory } from '../model/trajectory.js';
import { weightsWithOverlaps } from '../model/init.js';
import { simulateSgd, type SgdCheckpoint } from './sgd.js';
import { Rng } from './rng.js';

export interface Ensemble {
  readonly runs: Trajectory[];
  readonly seeds: number[];
  /** α of the saved points common to all runs. */
  readonly alpha: Float64Array;
  readonly lossMean: Float64Array;
  /** Sample standard deviation over runs (0 for a single run). */
  readonly lossStd: Float64Array;
}

export interface EnsembleOptions {
  /** Fraction of the whole ensemble done. */
  readonly onProgress?: (fraction: number) => void;
  readonly saveAt?: ArrayLike<number>;
  /** Checkpoint now and then (see SgdOptions.checkpoint), with the runs already finished. */
  readonly checkpoint?: { readonly everySeconds: number; readonly write: (state: EnsembleCheckpoint) => void };
  readonly resume?: EnsembleCheckpoint;
}

/** Finished runs and the state of the run in progress. */
export interface EnsembleCheckpoint {
  readonly finished: Trajectory[];
  readonly current: SgdCheckpoint;
}

/** Seeds of the runs: consecutive from the config's `seed`. */
export function runSeeds(seed: number, runs: number): number[] {
  return Array.from({ length: runs }, (_, r) => seed + r);
}

export function simulateEnsemble(problem: Problem, initial: InitialCondition, options: EnsembleOptions = {}): Ensemble {
  const { N, seed, runs } = problem.config;
  // Explicit overlaps: realise them with weights in dimension N (frame drawn from the seed).
  const weights = initial.weights ?? weightsWithOverlaps(initial.overlaps, N, new Rng(seed ^ 0x5f3759df));
  const seeds = runSeeds(seed, runs);
  const trajectories: Trajectory[] = [...(options.resume?.finished ?? [])];
  for (let r = trajectories.length; r < runs; r++) {
    const done = [...trajectories];
    trajectories.push(simulateSgd(problem, weights, options.saveAt ?? problem.saveAt, new Rng(seeds[r]), {
      onProgress: options.onProgress ? (f) => options.onProgress!((r + f) / runs) : undefined,
      resume: r === done.length && options.resume && options.resume.finished.length === r ? options.resume.current : undefined,
      checkpoint: options.checkpoint ? { everySeconds: options.checkpoint.everySeconds, write: (current) => options.checkpoint!.write({ finished: done, current }) } : undefined,
    }));
  }
  const n = Math.min(...trajectories.map((t) => t.alpha.length));
  const lossMean = new Float64Array(n), lossStd = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let m = 0;
    for (const t of trajectories) m += t.loss[i];
    m /= runs;
    let v = 0;
    for (const t of trajectories) v += (t.loss[i] - m) ** 2;
    lossMean[i] = m;
    lossStd[i] = runs > 1 ? Math.sqrt(v / (runs - 1)) : 0;
  }
  return { runs: trajectories, seeds, alpha: trajectories[0].alpha.slice(0, n), lossMean, lossStd };
}
