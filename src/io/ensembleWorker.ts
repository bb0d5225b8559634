/**
 * The worker-thread entry of the ensemble pool (piscina loads this file in each thread): one SGD
 * run of an ensemble, identified by its index, with progress and checkpoints sent back through a
 * MessagePort as the run goes. The config arrives resolved, and the starting weights are rebuilt
 * from it (deterministic), so only a few numbers cross the thread boundary on the way in.
 */
import type { MessagePort } from 'node:worker_threads';
import type { Config } from '../model/config.js';
import { makeProblem, initialCondition } from '../model/problem.js';
import { ensembleWeights, simulateRun } from '../sim/ensemble.js';
import type { SgdCheckpoint } from '../sim/sgd.js';
import type { Trajectory } from '../model/trajectory.js';
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
export type RunOutcome = Trajectory | { readonly userError: string };

export default function run(task: RunTask): RunOutcome {
  const { config, port } = task;
  let lastFraction = -1;
  try {
    const problem = makeProblem(config);
    const weights = ensembleWeights(problem, initialCondition(config));
    return simulateRun(problem, weights, task.run, {
      onProgress: (fraction) => {
        // Thousandths are all a progress bar shows: do not flood the port.
        if (Math.round(fraction * 1000) === lastFraction) return;
        lastFraction = Math.round(fraction * 1000);
        port.postMessage({ run: task.run, fraction } satisfies RunMessage);
      },
      resume: task.resume ?? undefined,
      checkpoint: task.checkpointEverySeconds !== null
        ? { everySeconds: task.checkpointEverySeconds, write: (checkpoint) => port.postMessage({ run: task.run, checkpoint } satisfies RunMessage) }
        : undefined,
    });
  } catch (err) {
    if (err instanceof OnepassError) return { userError: err.message };
    throw err;
  } finally {
    port.close();
  }
}
