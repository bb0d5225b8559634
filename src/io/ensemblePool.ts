/**
 * The SGD runs of an ensemble on a pool of worker threads (piscina), one run per task: the same
 * trajectories as solve(problem, initial, { method: 'sgd' }) (run r depends only on the config and r), in a fraction of the
 * time when there are several runs and several cores. Progress is the mean over runs; the
 * checkpoint holds the finished runs and the latest state of each run in progress.
 * Node only; the core's sequential `solve` stays the reference, and each task is `solve` with runs: [r].
 */
import { Piscina } from 'piscina';
import { MessageChannel } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { Problem, InitialCondition } from '../model/problem.js';
import type { Trajectory, SgdStats } from '../model/trajectory.js';
import type { SgdCheckpoint } from '../sim/sgd.js';
import { summarizeEnsemble, type Ensemble, type EnsembleCheckpoint, type EnsembleOptions } from '../sim/ensemble.js';
import { solve } from '../solve.js';
import type { RunTask, RunMessage, RunOutcome } from './ensembleWorker.js';
import { OnepassError } from '../model/errors.js';

export interface PoolEnsembleOptions extends Omit<EnsembleOptions, 'saveAt'> {
  /** Worker threads; default every core. With one worker, or one run, the runs go in this thread. */
  readonly workers?: number;
}

export async function simulateEnsembleOnPool(problem: Problem, initial: InitialCondition, options: PoolEnsembleOptions = {}): Promise<Ensemble> {
  const { runs, seed } = problem.config;
  const workers = Math.max(1, Math.min(Math.floor(options.workers ?? availableParallelism()), runs));
  if (workers === 1) return solve(problem, initial, { ...options, method: 'sgd' });

  const finished: (Trajectory<SgdStats> | null)[] = Array.from({ length: runs }, (_, r) => options.resume?.finished[r] ?? null);
  const current: (SgdCheckpoint | null)[] = Array.from({ length: runs }, (_, r) => (finished[r] ? null : options.resume?.current[r] ?? null));
  const fraction: number[] = finished.map((t) => (t ? 1 : 0));
  const report = () => options.onProgress?.(fraction.reduce((a, b) => a + b, 0) / runs);
  const writeCheckpoint = () => options.checkpoint?.write({ finished: [...finished], current: [...current] } satisfies EnsembleCheckpoint);
  report();

  const pool = new Piscina<RunTask, RunOutcome>({
    filename: new URL('./ensembleWorker.js', import.meta.url).href,
    minThreads: workers, maxThreads: workers,
  });
  try {
    await Promise.all(finished.map(async (done, r) => {
      if (done) return;
      const { port1, port2 } = new MessageChannel();
      port1.on('message', (m: RunMessage) => {
        if ('fraction' in m) { fraction[m.run] = m.fraction; report(); } else { current[m.run] = m.checkpoint; writeCheckpoint(); }
      });
      try {
        const task: RunTask = { config: problem.config, run: r, resume: current[r], checkpointEverySeconds: options.checkpoint?.everySeconds ?? null, port: port2 };
        const outcome = await pool.run(task, { transferList: [port2] });
        if ('userError' in outcome) throw new OnepassError(outcome.userError);
        finished[r] = outcome;
      } finally {
        port1.close();
      }
      current[r] = null;
      fraction[r] = 1;
      report();
    }));
  } finally {
    await pool.destroy();
  }
  return summarizeEnsemble(finished as Trajectory<SgdStats>[], seed);
}
