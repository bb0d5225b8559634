/**
 * Several SGD runs of one problem from the same initial weights with different sample streams
 * (seeds seed, seed + 1, …), and the mean and spread of their loss at each saved α.
 */
import type { Problem } from '../model/problem.js';
import type { InitialCondition } from '../model/problem.js';
import type { Trajectory } from '../model/trajectory.js';
import type { Weights } from '../model/overlaps.js';
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

/**
 * Where an ensemble stands, by run index: the finished runs' trajectories, and the last
 * checkpointed state of the runs in progress (null: not finished, or not started). Runs on a pool
 * finish in any order, so both are indexed rather than a prefix.
 */
export interface EnsembleCheckpoint {
  readonly finished: (Trajectory | null)[];
  readonly current: (SgdCheckpoint | null)[];
}

/** Seeds of the runs: consecutive from the config's `seed`. */
export function runSeeds(seed: number, runs: number): number[] {
  return Array.from({ length: runs }, (_, r) => seed + r);
}

/** The weights every run starts from (explicit overlaps are realised in dimension N, frame drawn from the seed). */
export function ensembleWeights(problem: Problem, initial: InitialCondition): Weights {
  return initial.weights ?? weightsWithOverlaps(initial.overlaps, problem.config.N, new Rng(problem.config.seed ^ 0x5f3759df));
}

/** Runs the ensemble's runs one after another in this thread (src/io/ensemblePool.ts spreads them over cores). */
export function simulateEnsemble(problem: Problem, initial: InitialCondition, options: EnsembleOptions = {}): Ensemble {
  const { seed, runs } = problem.config;
  const weights = ensembleWeights(problem, initial);
  const seeds = runSeeds(seed, runs);
  const finished: (Trajectory | null)[] = Array.from({ length: runs }, (_, r) => options.resume?.finished[r] ?? null);
  for (let r = 0; r < runs; r++) {
    if (finished[r]) continue;
    const current: (SgdCheckpoint | null)[] = Array.from({ length: runs }, () => null);
    finished[r] = simulateSgd(problem, weights, options.saveAt ?? problem.saveAt, new Rng(seeds[r]), {
      onProgress: options.onProgress ? (f) => options.onProgress!((r + f) / runs) : undefined,
      resume: options.resume?.current[r] ?? undefined,
      checkpoint: options.checkpoint
        ? { everySeconds: options.checkpoint.everySeconds, write: (state) => { current[r] = state; options.checkpoint!.write({ finished: [...finished], current }); } }
        : undefined,
    });
  }
  return summarizeEnsemble(finished as Trajectory[], seeds);
}

/** Mean and sample standard deviation of the runs' loss at the saved points common to all runs. */
export function summarizeEnsemble(trajectories: Trajectory[], seeds: number[]): Ensemble {
  const runs = trajectories.length;
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
