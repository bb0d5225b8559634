/**
 * The worker-thread entry of the ensemble pool (piscina loads this file in each thread): one SGD
 * run of an ensemble, identified by its index, with progress and checkpoints sent back through a
 * MessagePort as the run goes. The config arrives resolved, and the starting weights are rebuilt
 * from it (deterministic), so only a few numbers cross the thread boundary on the way in.
 */
import type { MessagePort } from 'node:worker_threads';
import type { Config } from '../model/config.js';
import { makeProblem, initialCondition } from '../model/problem.js';
import { solve } from '../solve.js';
import type { SgdCheckpoint } from '../sim/sgd.js';
import type { Trajectory, SgdStats } from '../model/trajectory.js';
import { OnepassError } from '../model/errors.js';

export interface RunTask {
  readonly config: Config;
  readonly run: number;
  readonly resume: SgdCheckpoint | null;
  readonly checkpointEverySeconds: number | null;
  readonly port: MessagePort;
}

export type RunMessage = { readonly run: number; readonly fraction: number } | { readonly run: number; readonly checkpoint: SgdCheckpoint };

/**
 * A run's trajectory, or the message of a user error: an error crosses the thread boundary as a
 * plain Error (structured clone keeps no subclass), which the CLI would report as a bug.
 */
export type RunOutcome = Trajectory<SgdStats> | { readonly userError: string };

export default function run(task: RunTask): RunOutcome {
  const { config, port } = task;
  let lastFraction = -1;
  try {
    const problem = makeProblem(config);
    // Run r alone, through the same entry point as a sequential ensemble (same weights, same streams).
    const only = <T>(x: T | null): (T | null)[] => Array.from({ length: config.runs }, (_, r) => (r === task.run ? x : null));
    return solve(problem, initialCondition(config), {
      method: 'sgd',
      runs: [task.run],
      onProgress: (fraction) => {
        // Thousandths are all a progress bar shows: do not flood the port.
        if (Math.round(fraction * 1000) === lastFraction) return;
        lastFraction = Math.round(fraction * 1000);
        port.postMessage({ run: task.run, fraction } satisfies RunMessage);
      },
      resume: task.resume ? { finished: only(null), current: only(task.resume) } : undefined,
      checkpoint: task.checkpointEverySeconds !== null
        ? { everySeconds: task.checkpointEverySeconds, write: (state) => port.postMessage({ run: task.run, checkpoint: state.current[task.run]! } satisfies RunMessage) }
        : undefined,
    }).runs[0];
  } catch (err) {
    if (err instanceof OnepassError) return { userError: err.message };
    throw err;
  } finally {
    port.close();
  }
}
