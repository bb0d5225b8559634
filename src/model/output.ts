/**
 * The public output schema, shared by `onepass ode --json`, `onepass sim --json` and the run
 * folder's result.json and trajectory.csv (documented in the README). Plain data only.
 */
import type { Trajectory, Ensemble, SgdStats, SdeStats } from './trajectory.js';
import type { Config } from './config.js';
import { toRows } from '../linalg/matrix.js';
import { VERSION } from '../version.js';
import { timeOf, type TimeConfig } from './time.js';
import { csvWriter, overlapColumns, type CsvCell } from './csv.js';

export { writeTrajectoryNpz, type RunGroup } from './trajectoryNpz.js';

export interface TrajectoryJson {
  solver: 'ode' | 'sgd' | 'sde';
  status: Trajectory['status'];
  message: string;
  p: number;
  pStar: number;
  alpha: number[];
  loss: number[];
  /**
   * ODE only: the accuracy floor of each saved loss, a bound on the rounding error of the loss
   * formula. A loss below its floor is not resolved (read it as "< lossFloor"; never negative).
   */
  lossFloor?: number[];
  /** One p×p matrix per saved α; [] at points that kept no overlaps (config saveOverlaps). */
  Q: number[][][];
  /** One p×p* matrix per saved α; [] where Q is. */
  M: number[][][];
  P: number[][];
  /** Student second-layer weights per α, when the second layer is trained. */
  v?: number[][];
  stats: Record<string, number>;
}

export interface SgdJson extends TrajectoryJson {
  /** Across runs: `loss`, `Q` and `M` are run means; `lossStd` the sample standard deviation. */
  lossStd: number[];
  /** Each run: the config's seed and the run's index r (its streams are (seed, sgdInputs, r) and (seed, labelNoise, r)). */
  runs: { seed: number; run: number; status: Trajectory['status']; message: string; loss: number[] }[];
}

export function trajectoryJson(t: Trajectory): TrajectoryJson {
  const { p, pStar } = t;
  return {
    solver: t.solver, status: t.status, message: t.message, p, pStar,
    alpha: Array.from(t.alpha), loss: Array.from(t.loss), ...(t.lossFloor ? { lossFloor: Array.from(t.lossFloor) } : {}),
    Q: t.Q.map((q) => (q.length ? toRows(q, p, p) : [])), M: t.M.map((m) => (m.length ? toRows(m, p, pStar) : [])), P: toRows(t.P, pStar, pStar),
    ...(t.v ? { v: t.v.map((x) => Array.from(x)) } : {}),
    stats: { ...t.stats },
  };
}

/** An ensemble in the trajectory schema: means over runs, plus the spread and each run's loss. */
export function ensembleJson(e: Ensemble<SgdStats | SdeStats>): SgdJson {
  const first = e.runs[0];
  const n = e.alpha.length;
  const mean = (pick: (t: Trajectory) => Float64Array[], i: number) => {
    const out = new Float64Array(pick(first)[i].length);
    for (const t of e.runs) { const m = pick(t)[i]; for (let k = 0; k < out.length; k++) out[k] += m[k] / e.runs.length; }
    return out;
  };
  const Q = Array.from({ length: n }, (_, i) => mean((t) => t.Q, i));
  const M = Array.from({ length: n }, (_, i) => mean((t) => t.M, i));
  const v = first.v ? Array.from({ length: n }, (_, i) => mean((t) => t.v!, i)) : undefined;
  const diverged = e.runs.find((t) => t.status !== 'completed');
  const base = trajectoryJson({ ...first, alpha: e.alpha, loss: e.lossMean, Q, M, ...(v ? { v } : {}), status: diverged?.status ?? 'completed', message: diverged?.message ?? first.message });
  return {
    ...base,
    stats: { N: first.stats.N, runs: e.runs.length, stepsPerRun: first.stats.steps },
    lossStd: Array.from(e.lossStd),
    runs: e.runs.map((t, r) => ({ seed: e.seed, run: r, status: t.status, message: t.message, loss: Array.from(t.loss) })),
  };
}

/** Provenance recorded with every result. */
export function provenance(config: Config) {
  return { onepassVersion: VERSION, config };
}

/**
 * trajectory.csv: long format, one row per (solver, run, α), in the CSV convention of
 * src/model/csv.ts: alpha, t (src/model/time.ts), solver, run, seed, loss, loss_floor (ODE rows:
 * the accuracy floor of the loss, see TrajectoryJson.lossFloor; empty for SGD), q_k_l (k ≤ l),
 * m_k_j, and v_k when the second layer is trained.
 * Produced row by row into `write`, so that a large ensemble streams to disk instead of being
 * built as one string (V8 strings stop at 2²⁹ characters).
 */
export function writeTrajectoryCsv(entries: readonly { trajectory: Trajectory; run: number; seed: number | '' }[], config: TimeConfig, write: (chunk: string) => void): void {
  if (entries.length === 0) return;
  const { p, pStar } = entries[0].trajectory;
  const withV = entries.some((e) => e.trajectory.v);
  const { q, names } = overlapColumns(p, pStar, withV);
  const row = csvWriter(['alpha', 't', 'solver', 'run', 'seed', 'loss', 'loss_floor', ...names], write);
  for (const { trajectory: t, run, seed } of entries) {
    const time = timeOf(config, t.alpha);
    for (let i = 0; i < t.alpha.length; i++) {
      const cells: CsvCell[] = [t.alpha[i], time[i], t.solver, run, seed, t.loss[i], t.lossFloor ? t.lossFloor[i] : ''];
      // A point that kept no overlaps (config saveOverlaps) has empty Q and M cells.
      const Qi = t.Q[i], Mi = t.M[i];
      for (const [k, l] of q) cells.push(Qi.length ? Qi[k * p + l] : '');
      for (let k = 0; k < p * pStar; k++) cells.push(Mi.length ? Mi[k] : '');
      if (withV) for (let k = 0; k < p; k++) cells.push(t.v ? t.v[i][k] : '');
      row(cells);
    }
  }
}

/** trajectory.csv as one string (small outputs; see writeTrajectoryCsv). */
export function trajectoryCsv(entries: readonly { trajectory: Trajectory; run: number; seed: number | '' }[], config: TimeConfig): string {
  const parts: string[] = [];
  writeTrajectoryCsv(entries, config, (c) => parts.push(c));
  return parts.join('');
}

/**
 * `JSON.stringify(value, null, indent) + '\n'`, produced piece by piece into `write` (same text),
 * so that a large result streams to disk instead of being built as one string. Plain data only.
 */
export function writeJson(value: unknown, write: (chunk: string) => void, indent = 1): void {
  // indent 0 is JSON.stringify's compact form: no line breaks, no space after the colon.
  const pad = (depth: number) => (indent > 0 ? '\n' + ' '.repeat(indent * depth) : '');
  const colon = indent > 0 ? ': ' : ':';
  const emit = (v: unknown, depth: number): void => {
    if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON !== 'function') {
      if (Array.isArray(v)) {
        if (v.length === 0) { write('[]'); return; }
        write('[');
        for (let i = 0; i < v.length; i++) {
          write((i ? ',' : '') + pad(depth + 1));
          emit(v[i], depth + 1);
        }
        write(pad(depth) + ']');
        return;
      }
      const keys = Object.keys(v).filter((k) => { const x = (v as Record<string, unknown>)[k]; return x !== undefined && typeof x !== 'function' && typeof x !== 'symbol'; });
      if (keys.length === 0) { write('{}'); return; }
      write('{');
      keys.forEach((k, i) => {
        write((i ? ',' : '') + pad(depth + 1) + JSON.stringify(k) + colon);
        emit((v as Record<string, unknown>)[k], depth + 1);
      });
      write(pad(depth) + '}');
      return;
    }
    const text = JSON.stringify(v);
    write(text ?? 'null');
  };
  emit(value, 0);
  write('\n');
}
