/**
 * The worker-thread entry of the sweep pool (piscina loads this file in each thread): one
 * sweep point in, its result out, as plain structured-clonable data.
 */
import type { Config } from '../model/config.js';
import { computePoint, type PointResult } from '../sweep/point.js';
import type { SweepSolver } from '../sweep/grid.js';
import { OnepassError } from '../model/errors.js';

export interface PointTask {
  readonly config: Config;
  readonly solver: SweepSolver;
}

/** A point's result, or a user error's message (an Error crosses the thread as a plain Error, its class lost). */
export type PointOutcome = PointResult | { readonly userError: string };

export default function run(task: PointTask): PointOutcome {
  try {
    return computePoint(task.config, task.solver);
  } catch (err) {
    if (err instanceof OnepassError) return { userError: err.message };
    throw err;
  }
}
