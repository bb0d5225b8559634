/**
 * The worker-thread entry of the SDE pool (./sdePool.ts; piscina loads this file in each thread):
 * a block of SDE runs of an ensemble, from the config (resolved) and the runs' common initial
 * overlaps (a few numbers: at large N the workers need not draw the weights again).
 */
import type { Config } from '../model/config.js';
import type { Overlaps } from '../model/overlaps.js';
import { makeProblem } from '../model/problem.js';
import { simulateSdeRun } from '../sde/ensemble.js';
import type { Trajectory, SdeStats } from '../model/trajectory.js';
import { OnepassError } from '../model/errors.js';

export interface SdeTask {
  readonly config: Config;
  readonly common: Overlaps;
  /** Runs from, from + 1, …, to − 1. */
  readonly from: number;
  readonly to: number;
}

/** The runs' trajectories, or the message of a user error (structured clone keeps no Error subclass). */
export type SdeOutcome = Trajectory<SdeStats>[] | { readonly userError: string };

export default function run(task: SdeTask): SdeOutcome {
  try {
    const problem = makeProblem(task.config);
    const out: Trajectory<SdeStats>[] = [];
    for (let r = task.from; r < task.to; r++) out.push(simulateSdeRun(problem, task.common, r));
    return out;
  } catch (err) {
    if (err instanceof OnepassError) return { userError: err.message };
    throw err;
  }
}
