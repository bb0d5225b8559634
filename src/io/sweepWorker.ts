/**
 * The worker-thread entry of the sweep pool (piscina loads this file in each thread): one
 * sweep point in, its result out, as plain structured-clonable data.
 */
import type { Config } from '../model/config.js';
import { computePointWithNpz, type PointResult } from '../sweep/point.js';
import type { SweepSolver } from '../sweep/grid.js';
import { OnepassError } from '../model/errors.js';

export interface PointTask {
  readonly config: Config;
  readonly solver: SweepSolver;
}

/** A point's result with its trajectory.npz bytes, or a user error's message (an Error crosses the thread as a plain Error, its class lost). */
export type PointOutcome = (PointResult & { readonly npz: Uint8Array }) | { readonly userError: string };

export default function run(task: PointTask): PointOutcome {
  try {
    return computePointWithNpz(task.config, task.solver);
  } catch (err) {
    if (err instanceof OnepassError) return { userError: err.message };
    throw err;
  }
}
