/**
 * The worker-thread entry of the sweep pool (piscina loads this file in each thread): one
 * sweep point in, its result out, as plain structured-clonable data.
 */
import type { Config } from '../model/config.js';
import { computePoint, type PointResult } from '../sweep/point.js';
import type { SweepSolver } from '../sweep/grid.js';

export interface PointTask {
  readonly config: Config;
  readonly solver: SweepSolver;
}

export default function run(task: PointTask): PointResult {
  return computePoint(task.config, task.solver);
}
