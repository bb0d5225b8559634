/**
 * Runs sweep points on a pool of worker threads (piscina), one point per task, and writes each
 * result to the store as soon as it arrives. Points already in the store are not recomputed.
 * Node only; the grid, the point computation and the CSV are core modules.
 */
import { Piscina } from 'piscina';
import { availableParallelism } from 'node:os';
import type { SweepPoint } from '../sweep/grid.js';
import { pointKey, type ResultStore } from './store.js';
import type { PointTask, PointOutcome } from './sweepWorker.js';
import { OnepassError, errorLine } from '../model/errors.js';

export interface SweepSummary {
  /** Points of this run (after sharding). */
  readonly total: number;
  /** Found in the store (or a duplicate of another point of this sweep): not recomputed. */
  readonly cached: number;
  /** Computed now and stored. */
  readonly computed: number;
  /** Of those to compute, how many were stored by another onepass version (recomputed and replaced, never reused). */
  readonly otherVersion: number;
  /** Computed now but ended diverged or failed (stored too, with their message). */
  readonly notCompleted: number;
  /** Threw inside the worker: not stored, so a rerun tries again. */
  readonly errors: { index: number; message: string }[];
  readonly workers: number;
  readonly seconds: number;
}

export interface RunSweepOptions {
  /** Worker threads; default: every core (os.availableParallelism()). */
  readonly workers?: number;
  /** Called after each point with (points done or cached, total). */
  readonly onProgress?: (done: number, total: number) => void;
}

export const defaultWorkers = (): number => availableParallelism();

export async function runSweep(points: readonly SweepPoint[], store: ResultStore, options: RunSweepOptions = {}): Promise<SweepSummary> {
  const t0 = performance.now();
  const workers = Math.max(1, Math.floor(options.workers ?? defaultWorkers()));
  const done = store.doneKeys();
  // A point is computed once even if the grid lists its config twice (e.g. a repeated value).
  const todo = points.filter((p) => {
    const key = `${pointKey(p.config, p.solver)}/${p.solver}`;
    if (done.has(key)) return false;
    done.add(key);
    return true;
  });
  const cached = points.length - todo.length;
  const stale = store.otherVersionKeys();
  const otherVersion = todo.filter((p) => stale.has(`${pointKey(p.config, p.solver)}/${p.solver}`)).length;
  let finished = cached, notCompleted = 0, computed = 0;
  const errors: { index: number; message: string }[] = [];
  options.onProgress?.(finished, points.length);
  if (todo.length > 0) {
    // Threads are not started for a sweep with nothing to do. No idle timeout: the queue is fed at once.
    const pool = new Piscina<PointTask, PointOutcome>({
      filename: new URL('./sweepWorker.js', import.meta.url).href,
      minThreads: Math.min(workers, todo.length), maxThreads: Math.min(workers, todo.length),
    });
    try {
      await Promise.all(todo.map(async (p) => {
        try {
          const r = await pool.run({ config: p.config, solver: p.solver });
          if ('userError' in r) throw new OnepassError(r.userError);
          const { npz, ...result } = r;
          store.put(p.config, p.solver, result, npz);
          computed++;
          if (r.status !== 'completed') notCompleted++;
        } catch (err) {
          // A user error's message as it is; anything else is a bug and marked as one.
          errors.push({ index: p.index, message: errorLine(err).line });
        }
        options.onProgress?.(++finished, points.length);
      }));
    } finally {
      await pool.destroy();
    }
  }
  errors.sort((a, b) => a.index - b.index);
  return { total: points.length, cached, computed, otherVersion, notCompleted, errors, workers, seconds: (performance.now() - t0) / 1000 };
}
