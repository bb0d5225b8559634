/**
 * Phase diagrams of a sweep: a heatmap (Vega-Lite `rect`) of one result column over two swept
 * config keys, one cell per pair of values. Nothing is averaged silently: rows of both solvers
 * need a solver named, and rows of a cell that differ in any other config key (another swept
 * key, a seed, older rows of another N in the store) need that key fixed (`where`) or the mean
 * asked for (`average`), which the subtitle then states. Cells where a run diverged or failed,
 * or that have no value (no escape within α_max), are drawn in grey with their own legend
 * entries, not left blank. Pure and browser-safe.
 */
import type { TopLevelSpec } from 'vega-lite';
import { ConfigError } from '../model/errors.js';
import { columnIndex, type Cell, type Table } from '../model/table.js';
import { FIGURE_CONFIG } from './loss.js';
import { powerOfTenLabelExpr } from './scale.js';
import { pow } from '../math/pow.js';

export interface PhaseDiagramOptions {
  readonly x: string;
  readonly y: string;
  /** The result column shown as colour, e.g. escape_alpha or final_loss. */
  readonly color: string;
  /** Only rows of this solver (a sweep with solver "both" has two per config). */
  readonly solver?: 'ode' | 'sgd' | 'sde';
  /** Only rows with these config values (key → value as written in the CSV). */
  readonly where?: Readonly<Record<string, string>>;
  /** Average over the other keys that vary within a cell (said in the subtitle) instead of refusing. */
  readonly average?: boolean;
  readonly logColor?: boolean;
  readonly title?: string;
}

/** What the colour columns mean, for the colour bar's title. */
const COLUMN_TITLES: Record<string, string> = {
  escape_alpha: 'escape α (escape_alpha)',
  escape_t: 'escape time t (escape_t)',
  final_loss: 'final loss ε (final_loss)',
  plateau_loss: 'plateau loss ε (plateau_loss)',
  max_deviation: 'max |ε_SGD − ε_ODE| (max_deviation)',
};

const fmt = (v: Cell) => (typeof v === 'number' && !Number.isInteger(v) ? String(Number(v.toPrecision(6))) : String(v));
const sortValues = (vs: Cell[]) => [...vs].sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : 1));

type Kind = 'value' | 'diverged' | 'none';

/** A cell's printed value: 3 significant digits, in exponent form outside [10⁻³, 10⁵) so that it fits its cell ("1.2e-6", not "0.0000012"). */
export function cellLabel(v: number): string {
  const a = Math.abs(v);
  if (a === 0 || (a >= 1e-3 && a < 1e5)) return Number(v.toPrecision(3)).toString();
  const [m, e] = v.toExponential(2).split('e');
  return `${Number(m)}e${Number(e)}`;
}

/** 10ᵏ for an integer k (by its logarithm: as text 0.001 does not start with "1" the way 1e-7 does). */
const isPowerOfTen = (v: number) => Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9;

/** Colour-bar ticks of a log scale: 1, 2, 5 × 10ᵏ inside [lo, hi] when that gives at most 8, else the powers of ten. */
function logTicks(lo: number, hi: number): { values: number[]; labelExpr: string } {
  const all: number[] = [];
  for (let k = Math.floor(Math.log10(lo)); k <= Math.ceil(Math.log10(hi)); k++) for (const m of [1, 2, 5]) all.push(Number((m * pow(10, k)).toPrecision(1)));
  const inside = all.filter((v) => v >= lo && v <= hi);
  return inside.length <= 8 ? { values: inside, labelExpr: "format(datum.value, '~g')" } : { values: inside.filter(isPowerOfTen), labelExpr: powerOfTenLabelExpr() };
}

export function phaseDiagramSpec(t: Table, o: PhaseDiagramOptions): TopLevelSpec {
  const xi = columnIndex(t, o.x, '--plot'), yi = columnIndex(t, o.y, '--plot'), ci = columnIndex(t, o.color, '--plot');
  const si = columnIndex(t, 'solver', '--plot');
  const sti = t.columns.indexOf('status');
  const where = Object.entries(o.where ?? {}).map(([k, v]) => [columnIndex(t, k, '--plot-where'), v] as const);
  const rows = t.rows.filter((r) => (!o.solver || r[si] === o.solver) && where.every(([i, v]) => fmt(r[i]) === v));
  if (rows.length === 0) throw new ConfigError('--plot', `no rows${o.solver ? ` of solver ${o.solver}` : ''}${where.length ? ` with ${Object.entries(o.where!).map(([k, v]) => `${k} = ${v}`).join(', ')}` : ''} to draw`);
  const solvers = [...new Set(rows.map((r) => r[si]))];
  if (solvers.length > 1) throw new ConfigError('--plot', `the rows are of solvers ${solvers.join(' and ')}, which are not averaged: name one, e.g. --plot ${o.x},${o.y},${o.color},${solvers[solvers.length - 1]}`);

  // The config columns come before "solver"; those other than x and y must be equal within a cell.
  const cells = new Map<string, Cell[][]>();
  for (const r of rows) {
    const key = `${r[xi]}\u0000${r[yi]}`;
    cells.set(key, [...(cells.get(key) ?? []), r]);
  }
  const varying = new Map<string, Set<string>>();
  for (let k = 0; k < si; k++) {
    if (k === xi || k === yi) continue;
    for (const group of cells.values()) {
      const values = new Set(group.map((r) => fmt(r[k])));
      if (values.size > 1) { const all = varying.get(t.columns[k]) ?? new Set(); values.forEach((v) => all.add(v)); varying.set(t.columns[k], all); }
    }
  }
  // A key with many values (a seed derived per point) is summarised by their count.
  const averaged = [...varying].map(([k, vs]) => (vs.size > 6 ? `${k} (${vs.size} values)` : `${k} ∈ {${sortValues([...vs].map((v) => (Number.isFinite(Number(v)) ? Number(v) : v))).map(fmt).join(', ')}}`));
  if (averaged.length && !o.average) {
    // Suggest the key with the fewest values: a seed derived per point changes with every other key.
    const fewest = [...varying].sort((a, b) => a[1].size - b[1].size)[0][0];
    throw new ConfigError('--plot', `rows of one cell differ in ${averaged.join(' and ')}: fix ${varying.size > 1 ? 'them' : 'it'} with --plot-where ${fewest}=VALUE, or average over ${varying.size > 1 ? 'them' : 'it'} with --plot-average`);
  }

  const values: { x: string; y: string; value: number | null; shade: number | null; n: number; diverged: number; kind: Kind; label: string }[] = [];
  for (const group of cells.values()) {
    const finite = group.map((r) => r[ci]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    // A cell where any run diverged is marked so: the mean of the survivors would flatter it.
    const diverged = sti < 0 ? 0 : group.filter((r) => r[sti] !== 'completed').length;
    const kind: Kind = diverged > 0 ? 'diverged' : finite.length === 0 ? 'none' : 'value';
    const value = kind === 'value' ? finite.reduce((a, b) => a + b, 0) / finite.length : null;
    values.push({ x: fmt(group[0][xi]), y: fmt(group[0][yi]), value, shade: value, n: group.length, diverged, kind, label: kind === 'value' ? cellLabel(value!) : '' });
  }
  const shown = values.filter((v) => v.kind === 'value');
  // A loss spans decades and may be exactly 0 (below its rounding floor): on a log colour scale
  // such a cell takes the colour of the smallest positive value (its label still says 0).
  const positive = shown.map((v) => v.value!).filter((v) => v > 0);
  const log = o.logColor && positive.length > 0 && shown.every((v) => v.value! >= 0);
  if (log) for (const v of shown) v.shade = Math.max(v.value!, Math.min(...positive));
  const noneLabel = o.color === 'escape_alpha' || o.color === 'escape_t' ? 'no escape within α_max' : `no ${o.color}`;
  const status = [...new Set(values.filter((v) => v.kind !== 'value').map((v) => (v.kind === 'diverged' ? 'diverged or failed' : noneLabel)))];
  // Ordinal axes in numeric order of the swept values (as strings they would sort 10 < 2).
  const order = (i: number) => sortValues([...new Set(rows.map((r) => r[i]))]).map(fmt);
  const xs = order(xi), ys = order(yi);
  const lo = Math.min(...shown.map((v) => v.shade!)), hi = Math.max(...shown.map((v) => v.shade!));
  const subtitle = [
    `solver ${solvers[0]}`,
    ...(where.length ? [Object.entries(o.where!).map(([k, v]) => `${k} = ${v}`).join(', ')] : []),
    averaged.length ? `each cell the mean over ${averaged.join(', ')} (up to ${Math.max(...values.map((v) => v.n))} rows per cell)` : 'one row per cell',
  ].join('; ');
  const x = { field: 'x', type: 'ordinal' as const, title: o.x, sort: xs, axis: { labelAngle: 0 } };
  const y = { field: 'y', type: 'ordinal' as const, title: o.y, sort: [...ys].reverse() };
  const tooltip = [{ field: 'x', title: o.x }, { field: 'y', title: o.y }, { field: 'value', title: o.color, format: '.4g' }, { field: 'n', title: 'rows' }, { field: 'diverged', title: 'diverged rows' }];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: o.title ?? `${o.color} over ${o.x} and ${o.y}`, subtitle },
    background: 'white',
    config: { ...FIGURE_CONFIG, legend: { ...FIGURE_CONFIG.legend, orient: 'right' } },
    // ≥ 640 × 400 px of plot: with the colour bar ~850 px wide, and twice that in the PNG.
    width: Math.max(640, 56 * xs.length),
    height: Math.max(400, 40 * ys.length),
    data: { values },
    layer: [
      {
        transform: [{ filter: "datum.kind === 'value'" }],
        mark: { type: 'rect', tooltip: true },
        encoding: {
          x, y, tooltip,
          color: {
            field: 'shade', type: 'quantitative', title: COLUMN_TITLES[o.color] ?? o.color,
            scale: { type: log ? 'log' : 'linear', scheme: 'viridis', ...(lo < hi ? {} : { domain: [lo * 0.9, hi * 1.1 + (hi === 0 ? 1 : 0)] }) },
            legend: { gradientLength: 300, gradientThickness: 18, titleLimit: 0, ...(log ? logTicks(lo, hi) : { tickCount: 6, labelExpr: "format(datum.value, '~g')" }) },
          },
        },
      },
      {
        transform: [{ filter: "datum.kind === 'value'" }],
        mark: { type: 'text', fontSize: 11 },
        encoding: { x, y, text: { field: 'label' }, color: { condition: { test: `datum.shade > ${log ? Math.sqrt(lo * hi) : (lo + hi) / 2}`, value: '#111' }, value: '#fff' } },
      },
      {
        transform: [{ filter: "datum.kind !== 'value'" }, { calculate: `datum.kind === 'diverged' ? 'diverged or failed' : '${noneLabel}'`, as: 'status' }],
        mark: { type: 'rect', tooltip: true, stroke: '#fff', strokeWidth: 1 },
        encoding: {
          x, y, tooltip,
          fill: { field: 'status', type: 'nominal', title: 'no colour', scale: { domain: status.length ? status : ['diverged or failed'], range: status.map((s) => (s === 'diverged or failed' ? '#9b2d2d' : '#c8c8c8')) }, legend: status.length ? {} : null },
        },
      },
    ],
    resolve: { scale: { color: 'independent', fill: 'independent' } },
  } as TopLevelSpec;
}
