/**
 * Phase diagrams of a sweep: a heatmap (Vega-Lite `rect`) of one result column over two swept
 * config keys, one cell per pair of values. Where several rows share a cell (other keys swept
 * too) the cell shows their mean and the tooltip says how many. Pure and browser-safe.
 */
import type { TopLevelSpec } from 'vega-lite';
import { ConfigError } from '../model/errors.js';
import { columnIndex, type Table } from '../model/table.js';

export interface PhaseDiagramOptions {
  readonly x: string;
  readonly y: string;
  /** The result column shown as colour, e.g. escape_alpha or final_loss. */
  readonly color: string;
  /** Only rows of this solver (a sweep with solver "both" has two per config). */
  readonly solver?: 'ode' | 'sgd';
  readonly logColor?: boolean;
  readonly title?: string;
}

export function phaseDiagramSpec(t: Table, o: PhaseDiagramOptions): TopLevelSpec {
  const xi = columnIndex(t, o.x, '--plot'), yi = columnIndex(t, o.y, '--plot'), ci = columnIndex(t, o.color, '--plot');
  const si = columnIndex(t, 'solver', '--plot');
  const cells = new Map<string, { x: string; y: string; sum: number; n: number; xv: number | string; yv: number | string }>();
  for (const r of t.rows) {
    if (o.solver && r[si] !== o.solver) continue;
    const v = r[ci];
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    const xv = r[xi] as number | string, yv = r[yi] as number | string;
    const key = `${xv}\u0000${yv}`;
    const c = cells.get(key) ?? { x: String(xv), y: String(yv), sum: 0, n: 0, xv, yv };
    c.sum += v; c.n++;
    cells.set(key, c);
  }
  if (cells.size === 0) throw new ConfigError('--plot', `no finite values of "${o.color}"${o.solver ? ` for solver ${o.solver}` : ''} to draw`);
  const values = [...cells.values()].map((c) => ({ x: c.x, y: c.y, value: c.sum / c.n, n: c.n }));
  // Ordinal axes in numeric order of the swept values (as strings they would sort 10 < 2).
  const order = (k: 'xv' | 'yv') => [...new Set([...cells.values()].map((c) => c[k]))].sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : 1)).map(String);
  const log = o.logColor && values.every((v) => v.value > 0);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: o.title ?? `${o.color} over ${o.x} and ${o.y}`, subtitle: o.solver ? `solver: ${o.solver}` : undefined },
    background: 'white',
    data: { values },
    mark: { type: 'rect', tooltip: true },
    width: { step: 36 },
    height: { step: 28 },
    encoding: {
      x: { field: 'x', type: 'ordinal', title: o.x, sort: order('xv') },
      y: { field: 'y', type: 'ordinal', title: o.y, sort: [...order('yv')].reverse() },
      color: { field: 'value', type: 'quantitative', title: o.color, scale: { type: log ? 'log' : 'linear', scheme: 'viridis' } },
      tooltip: [{ field: 'x', title: o.x }, { field: 'y', title: o.y }, { field: 'value', title: o.color, format: '.4g' }, { field: 'n', title: 'rows' }],
    },
  };
}
