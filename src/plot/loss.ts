/**
 * Figures as declarative Vega-Lite specifications (curves over α, log or linear axes, one
 * colour per series, optional vertical markers), and their rendering to SVG with Vega's
 * headless renderer. Pure and browser-safe: PNG rasterisation lives in io/.
 */
import { timeAxis, type TimeConfig } from '../model/time.js';
import type { TopLevelSpec } from 'vega-lite';
import type { Trajectory } from '../model/trajectory.js';

export interface Series {
  /** Legend label, e.g. "ODE" or "SGD N=2000 seed 1". */
  readonly label: string;
  readonly x: ArrayLike<number>;
  readonly y: ArrayLike<number>;
  /** Draw as points instead of a line (finite-N runs over an ODE line read better this way). */
  readonly points?: boolean;
}

export interface Axis {
  readonly title: string;
  readonly log?: boolean;
}

export interface FigureOptions {
  readonly title: string;
  readonly subtitle?: string;
  readonly x: Axis;
  readonly y: Axis;
  /** Vertical markers, e.g. the escape time. */
  readonly rules?: readonly { x: number; label: string }[];
}

/** A Vega-Lite spec of curves; points that a log axis cannot show (≤ 0, non-finite) are dropped. */
export function curvesFigureSpec(series: readonly Series[], o: FigureOptions): TopLevelSpec {
  const rows: { x: number; y: number; series: string }[] = [];
  const ok = (v: number, log?: boolean) => Number.isFinite(v) && (!log || v > 0);
  for (const s of series) {
    for (let i = 0; i < Math.min(s.x.length, s.y.length); i++) {
      if (ok(s.x[i], o.x.log) && ok(s.y[i], o.y.log)) rows.push({ x: s.x[i], y: s.y[i], series: s.label });
    }
  }
  const x = { field: 'x', type: 'quantitative' as const, title: o.x.title, scale: { type: o.x.log ? ('log' as const) : ('linear' as const) } };
  const y = { field: 'y', type: 'quantitative' as const, title: o.y.title, scale: o.y.log ? { type: 'log' as const } : { type: 'linear' as const, zero: false } };
  const color = { field: 'series', type: 'nominal' as const, title: null, sort: series.map((s) => s.label) };
  const lineLabels = series.filter((s) => !s.points).map((s) => s.label);
  const pointLabels = series.filter((s) => s.points).map((s) => s.label);
  const rules = (o.rules ?? []).filter((r) => ok(r.x, o.x.log));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: o.subtitle ? { text: o.title, subtitle: o.subtitle } : o.title,
    width: 560,
    height: 360,
    background: 'white',
    layer: [
      { data: { values: rows }, transform: [{ filter: { field: 'series', oneOf: pointLabels } }], mark: { type: 'point', size: 14, filled: true, opacity: 0.6 }, encoding: { x, y, color } },
      { data: { values: rows }, transform: [{ filter: { field: 'series', oneOf: lineLabels } }], mark: { type: 'line', strokeWidth: 2 }, encoding: { x, y, color } },
      { data: { values: rules }, mark: { type: 'rule', strokeDash: [4, 4], color: '#666' }, encoding: { x: { field: 'x', type: 'quantitative' } } },
      { data: { values: rules }, mark: { type: 'text', align: 'left', dx: 3, dy: 6, baseline: 'top', color: '#444' }, encoding: { x: { field: 'x', type: 'quantitative' }, y: { value: 0 }, text: { field: 'label' } } },
    ],
  };
}

export interface LossSeries {
  readonly label: string;
  readonly trajectory: Pick<Trajectory, 'alpha' | 'loss' | 'lossFloor'>;
  readonly points?: boolean;
}

/** The losses to draw: a loss below its accuracy floor is not resolved and is not drawn. */
export function resolvedLoss(t: Pick<Trajectory, 'loss' | 'lossFloor'>): Float64Array {
  const f = t.lossFloor;
  return f ? Float64Array.from(t.loss, (l, i) => (l < f[i] ? NaN : l)) : Float64Array.from(t.loss);
}

/**
 * Population loss against time on log–log axes: α, or with `time` (a config) its time unit
 * (src/model/time.ts gives the values and the axis title; rules are given in α and moved too).
 */
export function lossFigureSpec(series: readonly LossSeries[], title = 'Population loss', subtitle?: string, rules?: FigureOptions['rules'], time?: TimeConfig): TopLevelSpec {
  const axis = (alpha: ArrayLike<number>) => (time ? timeAxis(time, alpha) : { values: alpha, title: 'α = samples / N' });
  return curvesFigureSpec(
    series.map((s) => ({ label: s.label, x: axis(s.trajectory.alpha).values, y: resolvedLoss(s.trajectory), points: s.points })),
    { title, subtitle, x: { title: axis([]).title, log: true }, y: { title: 'population loss ε', log: true }, rules: rules?.map((r) => ({ ...r, x: axis([r.x]).values[0] })) },
  );
}

/** Renders a Vega-Lite spec to an SVG string (no DOM, no canvas needed). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  // Loaded on first use: Vega and Vega-Lite take ~0.2 s to import, which every CLI command
  // that draws nothing (and `--help`) would otherwise pay.
  const [vega, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
