/**
 * Several SGD runs of one problem from the same initial weights with independent sample streams
 * (run r draws its inputs from the stream (seed, sgdInputs, r) and its label noise from
 * (seed, labelNoise, r): src/random/streams.ts), and the mean and spread of their loss at each saved α.
 * With `ensemble: "init"` the runs instead start from independent student weights (run r from
 * (init.seed, studentWeights, r)) on the data stream of run 0; with "both" they vary both.
 */
import type { Problem } from '../model/problem.js';
import type { InitialCondition } from '../model/problem.js';
import type { Trajectory, SgdStats, SdeStats, Ensemble } from '../model/trajectory.js';
import type { Weights } from '../model/overlaps.js';
import { weightsWithOverlaps, studentWeights, isOverlapInit } from '../model/init.js';
import { ConfigError } from '../model/errors.js';
import { simulateSgd, sgdStreams, type SgdCheckpoint, type SgdOptions } from './sgd.js';
import { Rng } from '../random/rng.js';

export type { Ensemble };

export interface EnsembleOptions extends Pick<SgdOptions, 'onSave' | 'engine'> {
  /** Fraction of the whole ensemble (of the selected runs) done. */
  readonly onProgress?: (fraction: number) => void;
  readonly saveAt?: ArrayLike<number>;
  /**
   * Which runs to compute, by index (default all: 0 … config.runs − 1); run r is the same
   * trajectory whatever else is computed with it (a pool's task computes one). `onSave` streams
   * the points of every selected run, with a single run in mind.
   */
  readonly runs?: readonly number[];
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
  readonly finished: (Trajectory<SgdStats> | null)[];
  readonly current: (SgdCheckpoint | null)[];
}

/**
 * The weights every run starts from: the drawn ones, or explicit overlaps realised in dimension N
 * with a random frame from the stream (seed, overlapFrame, 0).
 */
export function ensembleWeights(problem: Problem, initial: InitialCondition): Weights {
  return initial.weights ?? weightsWithOverlaps(initial.overlaps, problem.config.N, new Rng(problem.config.seed, 'overlapFrame'));
}

/**
 * SGD run `run` of the problem's ensemble from `weights` (those of `ensembleWeights`): the one
 * function the sequential ensemble, the worker threads and the explorer all call, so run r is the
 * same trajectory wherever it runs.
 */
export function simulateRun(problem: Problem, weights: Weights, run: number, options: SgdOptions & { readonly saveAt?: ArrayLike<number> } = {}): Trajectory<SgdStats> {
  const { ensemble, seed } = problem.config;
  // ensemble "init"/"both": run r starts from its own student draw (init.seed, studentWeights, r),
  // run 0 from the common weights; "init" keeps the data stream of run 0 for every run.
  const w = ensemble !== 'data' && run > 0 ? runWeights(problem, weights, run) : weights;
  return simulateSgd(problem, w, options.saveAt ?? problem.saveAt, sgdStreams(seed, ensemble === 'init' ? 0 : run), options);
}

/** The weights of run r of an ensemble over initial weights: the common teacher, the student from stream (init.seed, studentWeights, r). */
function runWeights(problem: Problem, weights: Weights, run: number): Weights {
  const { init, p, N } = problem.config;
  if (isOverlapInit(init)) throw new ConfigError('ensemble', `"${problem.config.ensemble}" varies the initial weights, which needs a random init ({ teacher, studentVariance, seed }), not explicit overlaps; use "data"`);
  return { ...weights, W: studentWeights(p, N, init.studentVariance, new Rng(init.seed, 'studentWeights', run)) };
}

/** Runs the ensemble's runs (or the selected ones) one after another in this thread (src/io/ensemblePool.ts spreads them over cores). */
export function simulateEnsemble(problem: Problem, initial: InitialCondition, options: EnsembleOptions = {}): Ensemble {
  const { seed, runs } = problem.config;
  const indices = options.runs ?? Array.from({ length: runs }, (_, r) => r);
  const weights = ensembleWeights(problem, initial);
  const finished: (Trajectory<SgdStats> | null)[] = Array.from({ length: runs }, (_, r) => options.resume?.finished[r] ?? null);
  indices.forEach((r, k) => {
    if (finished[r]) return;
    const current: (SgdCheckpoint | null)[] = Array.from({ length: runs }, () => null);
    finished[r] = simulateRun(problem, weights, r, {
      saveAt: options.saveAt,
      onSave: options.onSave,
      engine: options.engine,
      onProgress: options.onProgress ? (f) => options.onProgress!((k + f) / indices.length) : undefined,
      resume: options.resume?.current[r] ?? undefined,
      checkpoint: options.checkpoint
        ? { everySeconds: options.checkpoint.everySeconds, write: (state) => { current[r] = state; options.checkpoint!.write({ finished: [...finished], current }); } }
        : undefined,
    });
  });
  return summarizeEnsemble(indices.map((r) => finished[r]!), seed);
}

/** Mean and sample standard deviation of the runs' loss at the saved points common to all runs. */
export function summarizeEnsemble<S extends SgdStats | SdeStats>(trajectories: Trajectory<S>[], seed: number): Ensemble<S> {
  const runs = trajectories.length;
  const n = Math.min(...trajectories.map((t) => t.alpha.length));
  const lossMean = new Float64Array(n), lossStd = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let m = 0;
    for (const t of trajectories) m += t.loss[i];
    m /= runs;
    let v = 0;
    for (const t of trajectories) { const d = t.loss[i] - m; v += d * d; }
    lossMean[i] = m;
    lossStd[i] = runs > 1 ? Math.sqrt(v / (runs - 1)) : 0;
  }
  return { runs: trajectories, seed, alpha: trajectories[0].alpha.slice(0, n), lossMean, lossStd };
}
