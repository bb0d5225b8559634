/**
 * The runs of an SDE ensemble (src/sde/ensemble.ts) on a pool of worker threads (piscina): the
 * same trajectories as `simulateSdeEnsemble` (run r depends only on the config, the common initial
 * overlaps and r), split into blocks of consecutive runs, a few per worker, so that each task is
 * long against its cost of crossing threads (an SDE run is a few tens of ms). Node only; the
 * sequential `simulateSdeEnsemble` stays the reference.
 */
import { Piscina } from 'piscina';
import { availableParallelism } from 'node:os';
import type { Problem, InitialCondition } from '../model/problem.js';
import type { Trajectory, SdeStats } from '../model/trajectory.js';
import { summarizeEnsemble, type Ensemble } from '../sim/ensemble.js';
import { simulateSdeEnsemble, sdeCommonOverlaps, sdeSetup } from '../sde/ensemble.js';
import type { SdeTask, SdeOutcome } from './sdeWorker.js';
import { OnepassError } from '../model/errors.js';

export interface SdePoolOptions {
  readonly initial?: InitialCondition;
  /** Worker threads; default every core. With one worker, or one run, the runs go in this thread. */
  readonly workers?: number;
  /** Fraction of the runs done. */
  readonly onProgress?: (fraction: number) => void;
}

/** Blocks per worker: enough for the progress bar and to even out the load, few enough to keep tasks long. */
const BLOCKS_PER_WORKER = 4;

export async function simulateSdeEnsembleOnPool(problem: Problem, options: SdePoolOptions = {}): Promise<Ensemble<SdeStats>> {
  const { runs, seed } = problem.config;
  const workers = Math.max(1, Math.min(Math.floor(options.workers ?? availableParallelism()), runs));
  if (workers === 1) return simulateSdeEnsemble(problem, options);
  sdeSetup(problem); // a bad sdeNoise fails before the threads start
  const common = sdeCommonOverlaps(problem, options.initial);
  const blocks = Math.min(runs, workers * BLOCKS_PER_WORKER);
  const done: Trajectory<SdeStats>[][] = [];
  let finished = 0;
  options.onProgress?.(0);
  const pool = new Piscina<SdeTask, SdeOutcome>({ filename: new URL('./sdeWorker.js', import.meta.url).href, minThreads: workers, maxThreads: workers });
  try {
    await Promise.all(Array.from({ length: blocks }, async (_, b) => {
      const from = Math.floor((b * runs) / blocks), to = Math.floor(((b + 1) * runs) / blocks);
      const outcome = await pool.run({ config: problem.config, common, from, to } satisfies SdeTask);
      if ('userError' in outcome) throw new OnepassError(outcome.userError);
      done[b] = outcome;
      finished += to - from;
      options.onProgress?.(finished / runs);
    }));
  } finally {
    await pool.destroy();
  }
  return summarizeEnsemble(done.flat(), seed);
}
