/**
 * Sweep results as a flat table: one row per (config, solver), the resolved config as dotted
 * columns (p, eta, init.studentVariance, …) followed by the result columns. Rows are sorted by
 * their config columns (numerically where numeric), so equal stores give equal tables whatever
 * order their rows were computed or merged in. Core module: plain data, no Node API.
 */
import type { Config } from '../model/config.js';
import { flattenConfig, type SweepSolver } from './grid.js';
import type { PointResult } from './point.js';
import { RESULT_COLUMNS, NUMERIC_RESULT_COLUMNS, type ResultColumn } from './columns.js';
import { columnIndex, type Cell, type Table } from '../model/table.js';
import { csvText } from '../model/csv.js';
import { timeAt } from '../model/time.js';

export interface ResultRow extends PointResult {
  readonly configHash: string;
  readonly solver: SweepSolver;
  readonly config: Config;
  readonly computedAt: string;
}

export { RESULT_COLUMNS, NUMERIC_RESULT_COLUMNS, type ResultColumn };

export { columnIndex, type Cell, type Table };

function resultCells(r: ResultRow): Record<ResultColumn, Cell> {
  return {
    final_loss: r.finalLoss, escape_alpha: r.escapeAlpha, escape_t: r.escapeAlpha === null ? null : timeAt(r.config, r.escapeAlpha),
    plateau_loss: r.plateauLoss, max_deviation: r.maxDeviation,
    status: r.status, message: r.message, seconds: r.seconds, computed_at: r.computedAt, config_hash: r.configHash,
  };
}

export function resultsTable(rows: readonly ResultRow[]): Table {
  const flat = rows.map((r) => flattenConfig(r.config));
  const configColumns: string[] = [];
  for (const f of flat) for (const k of Object.keys(f)) if (!configColumns.includes(k)) configColumns.push(k);
  const columns = [...configColumns, 'solver', ...RESULT_COLUMNS];
  const body: Cell[][] = rows.map((r, i) => [...configColumns.map((k) => flat[i][k] ?? null), r.solver, ...RESULT_COLUMNS.map((c) => resultCells(r)[c])]);
  const sortWidth = configColumns.length + 1;
  body.sort((a, b) => {
    for (let i = 0; i < sortWidth; i++) { const c = compareCells(a[i], b[i]); if (c !== 0) return c; }
    return 0;
  });
  return { columns, rows: body };
}

function compareCells(a: Cell, b: Cell): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : 1;
}

/**
 * results.csv in the CSV convention (src/model/csv.ts): the config columns before `solver` keep
 * their config spelling (what --set takes), the result columns are snake_case.
 */
export function tableCsv(t: Table): string {
  const solver = t.columns.indexOf('solver');
  return csvText(t.columns, t.rows, new Set(solver < 0 ? [] : t.columns.slice(0, solver)));
}
