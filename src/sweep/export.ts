/**
 * A sweep's trajectories exported (`onepass sweep --export npz|csv|json`, issue 19 §2): every
 * point's stored trajectory.npz (src/model/trajectoryNpz.ts), keyed by the point's row in
 * results.csv (0-based, header not counted: pandas' index of `read_csv`), so the two files join
 * on the row number:
 *  - trajectories.npz: the point's arrays under `<row>/<key>` (`d['3/loss']`, `d['3/Q']`,
 *    `d['3/t']`, …) plus `<row>/solver` and `<row>/config_hash`;
 *  - trajectories.csv: long format in the CSV convention (src/model/csv.ts): alpha, t, row,
 *    solver, run, loss, loss_floor, q_k_l, m_k_j[, v_k], the overlap columns of the widest point
 *    (empty where a point has fewer units); the NaN padding after a stopped run is left out;
 *  - trajectories.json: an array of { row, config_hash, solver, config, status, alpha, t, loss,
 *    Q, M[, v, loss_floor] }, nested arrays of the npz shapes, NaN as null.
 * A row without a stored trajectory (computed by a store of schema 1) has no entries; the
 * caller says how many. Core module: plain data, no Node API.
 */
import type { Table } from '../model/table.js';
import { npzEntries, parseNpz, stringEntry, writeNpz, type NpzEntry, type NpyArray } from '../model/npy.js';
import { csvWriter, overlapColumns, type CsvCell } from '../model/csv.js';
import type { SweepSolver } from './grid.js';

export { SWEEP_EXPORT_FORMATS, type SweepExportFormat } from './columns.js';

export interface PointRef { readonly row: number; readonly configHash: string; readonly solver: SweepSolver }

/** The rows of a results table (resultsTable) as references to their stored points, in the CSV's order. */
export function tablePoints(table: Table): PointRef[] {
  const hash = table.columns.indexOf('config_hash'), solver = table.columns.indexOf('solver');
  if (hash < 0 || solver < 0) throw new Error('a results table has config_hash and solver columns');
  return table.rows.map((r, row) => ({ row, configHash: String(r[hash]), solver: r[solver] as SweepSolver }));
}

/** Looks a point's trajectory.npz bytes up (the store), undefined when none is stored. */
export type TrajectoryLookup = (configHash: string, solver: SweepSolver) => Uint8Array | undefined;

/**
 * trajectories.npz: each point's arrays re-keyed `<row>/<key>`, one point read at a time, each
 * member deflated (as `np.savez_compressed`; a point that keeps no overlap matrices is mostly the
 * NaN of its Q, which stored raw made the (p, η) preset's export 1.28 GB).
 */
export function writeSweepNpz(points: readonly PointRef[], lookup: TrajectoryLookup, write: (chunk: Uint8Array) => void): void {
  function* entries(): Generator<NpzEntry> {
    for (const p of points) {
      const npz = lookup(p.configHash, p.solver);
      if (!npz) continue;
      // Each array streamed from the stored archive as it is inflated (npzEntries): no whole array is held.
      for (const e of npzEntries(npz)) yield { ...e, name: `${p.row}/${e.name}` };
      yield stringEntry(`${p.row}/solver`, p.solver);
      yield stringEntry(`${p.row}/config_hash`, p.configHash);
    }
  }
  writeNpz(entries(), write, { compress: true });
}

const f8 = (a: NpyArray | undefined) => a?.data as Float64Array | undefined;

/** trajectories.csv (see the module header), row by row. `widths`: the largest p and p* of the table, and whether any point trains v. */
export function writeSweepCsv(points: readonly PointRef[], lookup: TrajectoryLookup, widths: { p: number; pStar: number; v: boolean }, write: (chunk: string) => void): void {
  const { names } = overlapColumns(widths.p, widths.pStar, widths.v);
  const row = csvWriter(['alpha', 't', 'row', 'solver', 'run', 'loss', 'loss_floor', ...names], write);
  const at = new Map(names.map((n, i) => [n, i]));
  for (const p of points) {
    const bytes = lookup(p.configHash, p.solver);
    if (!bytes) continue;
    const d = parseNpz(bytes);
    const alpha = f8(d.get('alpha'))!, t = f8(d.get('t'))!, loss = f8(d.get('loss'))!, floor = f8(d.get('loss_floor'));
    const Q = d.get('Q')!, M = f8(d.get('M'))!, v = f8(d.get('v'));
    const [runs, T, pp] = Q.shape;
    const ps = d.get('M')!.shape[3];
    const q = Q.data as Float64Array;
    for (let r = 0; r < runs; r++) for (let i = 0; i < T; i++) {
      const base = r * T + i;
      // NaN padding after a run stopped (trajectoryNpz.ts) is not data: no row for it.
      if (Number.isNaN(loss[base]) && Number.isNaN(q[base * pp * pp])) continue;
      const overlaps: CsvCell[] = new Array(names.length).fill(null);
      for (let k = 0; k < pp; k++) for (let l = k; l < pp; l++) overlaps[at.get(`q_${k}_${l}`)!] = q[(base * pp + k) * pp + l];
      for (let k = 0; k < pp; k++) for (let j = 0; j < ps; j++) overlaps[at.get(`m_${k}_${j}`)!] = M[(base * pp + k) * ps + j];
      if (v) for (let k = 0; k < pp; k++) overlaps[at.get(`v_${k}`)!] = v[base * pp + k];
      row([alpha[i], t[i], p.row, p.solver, r, loss[base], floor ? floor[base] : null, ...overlaps]);
    }
  }
}

/** An npz array as nested JSON arrays of its shape; NaN and ±Infinity as null (JSON has none). */
function nested(a: NpyArray): unknown {
  const flat = Array.from(a.data as ArrayLike<number | string>, (x) => (typeof x === 'number' && !Number.isFinite(x) ? null : x));
  if (a.shape.length === 0) return flat[0];
  const build = (dim: number, offset: number): unknown[] => {
    const n = a.shape[dim];
    const stride = a.shape.slice(dim + 1).reduce((x, y) => x * y, 1);
    return Array.from({ length: n }, (_, i) => (dim === a.shape.length - 1 ? flat[offset + i] : build(dim + 1, offset + i * stride)));
  };
  return build(0, 0);
}

/** trajectories.json (see the module header): one point at a time. */
export function writeSweepJson(points: readonly PointRef[], lookup: TrajectoryLookup, write: (chunk: string) => void): void {
  write('[');
  let first = true;
  for (const p of points) {
    const bytes = lookup(p.configHash, p.solver);
    if (!bytes) continue;
    const d = parseNpz(bytes);
    const doc: Record<string, unknown> = { row: p.row, config_hash: p.configHash, solver: p.solver };
    for (const [key, a] of d) doc[key] = key === 'config' ? JSON.parse((a.data as string[])[0]) : nested(a);
    write((first ? '\n' : ',\n') + JSON.stringify(doc));
    first = false;
  }
  write('\n]\n');
}
