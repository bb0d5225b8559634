/**
 * Figures as declarative Vega-Lite specifications (curves over α, log or linear axes, one
 * colour per series, ±std bands, vertical markers and horizontal reference lines, one style for
 * every figure), and their rendering to SVG with Vega's
 * headless renderer. Pure and browser-safe: PNG rasterisation lives in io/.
 */
import { timeAxis, type TimeConfig } from '../model/time.js';
import type { TopLevelSpec } from 'vega-lite';
import type { Trajectory } from '../model/trajectory.js';
import { axesOf, tickLabels, type PlotScale } from './scale.js';

export interface Series {
  /** Legend label, e.g. "ODE" or "SGD N=2000 seed 1". */
  readonly label: string;
  readonly x: ArrayLike<number>;
  readonly y: ArrayLike<number>;
  /** Draw as points instead of a line (finite-N runs over an ODE line read better this way). */
  readonly points?: boolean;
  /** Draw the line dashed (a theory's prediction beside the measured curves). */
  readonly dashed?: boolean;
  /** A band y ± std around the series (an ensemble's spread over its runs). */
  readonly std?: ArrayLike<number>;
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
  /** Horizontal reference lines, e.g. the plateau or saddle loss. */
  readonly hrules?: readonly { y: number; label: string }[];
}

const GREY = '#555';

/** The one style of every figure: fonts, legend labels never cut, ticks and grid. */
export const FIGURE_CONFIG = {
  font: 'DejaVu Sans, sans-serif',
  title: { fontSize: 15, subtitleFontSize: 12, subtitleColor: '#333', anchor: 'start' as const, offset: 10 },
  axis: { labelFontSize: 12, titleFontSize: 13, titleFontWeight: 'normal' as const, gridColor: '#e6e6e6', tickColor: '#888', domainColor: '#888', labelColor: '#222' },
  // Inside the plot at the bottom left (where falling losses leave room): outside, Vega's headless
  // text-width estimate (no canvas) would widen the figure by a third of empty space.
  legend: { labelFontSize: 12, titleFontSize: 12, labelLimit: 0, symbolSize: 120, symbolOpacity: 1, orient: 'bottom-left' as const, fillColor: '#ffffffdd', padding: 6, cornerRadius: 3 },
  view: { stroke: '#888' },
};

/**
 * A Vega-Lite spec of curves. Points a log axis cannot show (≤ 0, non-finite) are dropped; the
 * x axis spans exactly the data drawn (no rounding out to a decade), so early α is not lost at
 * the left and no empty decade is added; ticks are 10ᵏ on log axes spanning decades.
 */
export function curvesFigureSpec(series: readonly Series[], o: FigureOptions): TopLevelSpec {
  const rows: { x: number; y: number; series: string }[] = [];
  const band: { x: number; lo: number; hi: number; series: string }[] = [];
  const ok = (v: number, log?: boolean) => Number.isFinite(v) && (!log || v > 0);
  for (const s of series) {
    for (let i = 0; i < Math.min(s.x.length, s.y.length); i++) {
      const x = s.x[i], y = s.y[i];
      if (!ok(x, o.x.log) || !ok(y, o.y.log)) continue;
      rows.push({ x, y, series: s.label });
      const sd = s.std?.[i];
      // On a log axis a band reaching zero is drawn down to a decade below the value.
      if (sd !== undefined && Number.isFinite(sd) && sd > 0) band.push({ x, lo: o.y.log ? Math.max(y - sd, y / 10) : y - sd, hi: y + sd, series: s.label });
    }
  }
  const xs = rows.map((r) => r.x), ys = [...rows.map((r) => r.y), ...band.flatMap((b) => [b.lo, b.hi])];
  const range = (v: number[]) => (v.length ? [Math.min(...v), Math.max(...v)] : [1, 10]);
  const [x0, x1] = range(xs), [y0, y1] = range(ys);
  const x = {
    field: 'x', type: 'quantitative' as const, title: o.x.title,
    scale: { type: o.x.log ? ('log' as const) : ('linear' as const), domain: x0 < x1 ? [x0, x1] : undefined, nice: false, ...(o.x.log ? {} : { zero: false }) },
    axis: tickLabels(!!o.x.log, x0, x1),
  };
  const y = { field: 'y', type: 'quantitative' as const, title: o.y.title, scale: o.y.log ? { type: 'log' as const } : { type: 'linear' as const, zero: false }, axis: tickLabels(!!o.y.log, y0, y1) };
  const labels = series.map((s) => s.label);
  const color = { field: 'series', type: 'nominal' as const, title: null, sort: labels, scale: { domain: labels } };
  const lineLabels = series.filter((s) => !s.points && !s.dashed).map((s) => s.label);
  const dashedLabels = series.filter((s) => !s.points && s.dashed).map((s) => s.label);
  const pointLabels = series.filter((s) => s.points).map((s) => s.label);
  const rules = (o.rules ?? []).filter((r) => ok(r.x, o.x.log) && r.x >= x0 && r.x <= x1);
  const hrules = (o.hrules ?? []).filter((r) => ok(r.y, o.y.log));
  const xOnly = { x: { field: 'x', type: 'quantitative' as const } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: o.subtitle ? { text: o.title, subtitle: o.subtitle } : o.title,
    width: 600,
    height: 380,
    background: 'white',
    config: FIGURE_CONFIG,
    layer: [
      { data: { values: band }, mark: { type: 'area', opacity: 0.2 }, encoding: { x: { ...x, field: 'x' }, y: { ...y, field: 'lo' }, y2: { field: 'hi' }, color } },
      { data: { values: rows }, transform: [{ filter: { field: 'series', oneOf: pointLabels } }], mark: { type: 'point', size: 16, filled: true, opacity: 0.7 }, encoding: { x, y, color } },
      { data: { values: rows }, transform: [{ filter: { field: 'series', oneOf: lineLabels } }], mark: { type: 'line', strokeWidth: 2 }, encoding: { x, y, color } },
      { data: { values: rows }, transform: [{ filter: { field: 'series', oneOf: dashedLabels } }], mark: { type: 'line', strokeWidth: 1.5, strokeDash: [6, 4] }, encoding: { x, y, color } },
      { data: { values: rules }, mark: { type: 'rule', strokeDash: [4, 4], color: GREY }, encoding: xOnly },
      // Labels of vertical markers at the bottom, of horizontal lines at the right: the top right is where both meet.
      { data: { values: rules }, mark: { type: 'text', align: 'left', dx: 4, dy: -6, baseline: 'bottom', color: GREY, fontSize: 12 }, encoding: { ...xOnly, y: { value: 380 }, text: { field: 'label' } } },
      { data: { values: hrules }, mark: { type: 'rule', strokeDash: [2, 3], color: GREY }, encoding: { y: { ...y, field: 'y' } } },
      // Alternately above and below their lines, so two close levels (plateau and saddle) do not overprint.
      ...[0, 1].map((side) => ({
        data: { values: hrules.filter((_, i) => i % 2 === side) },
        mark: { type: 'text' as const, align: 'right' as const, dy: side ? 4 : -4, baseline: side ? ('top' as const) : ('bottom' as const), color: GREY, fontSize: 12 },
        encoding: { y: { ...y, field: 'y' }, x: { value: 600 - 4 }, text: { field: 'label' } },
      })),
    ],
    resolve: { scale: { color: 'shared' } },
  } as TopLevelSpec;
}

export interface LossSeries {
  readonly label: string;
  /** A trajectory, or any curve over α (an ensemble mean with its lossStd). */
  readonly trajectory: { readonly alpha: ArrayLike<number>; readonly loss: ArrayLike<number>; readonly lossFloor?: ArrayLike<number>; readonly lossStd?: ArrayLike<number> };
  readonly points?: boolean;
}

/** The losses to draw: a loss below its accuracy floor is not resolved and is not drawn. */
export function resolvedLoss(t: { readonly loss: ArrayLike<number>; readonly lossFloor?: ArrayLike<number> }): Float64Array {
  const f = t.lossFloor;
  return f ? Float64Array.from(t.loss, (l, i) => (l < f[i] ? NaN : l)) : Float64Array.from(t.loss);
}

export interface LossFigureMore {
  /** Axes (default loglog). */
  readonly scale?: PlotScale;
  /** Horizontal reference lines, e.g. the plateau and the saddle loss. */
  readonly hrules?: FigureOptions['hrules'];
  /** The time unit: α, or the config's (src/model/time.ts gives the values and the axis title; rules are given in α and moved too). */
  readonly time?: TimeConfig;
  /** More curves, given in α (e.g. a theory's dashed prediction). */
  readonly extra?: readonly Series[];
}

/**
 * Population loss against time (α or the config's unit), log–log by default; an ensemble mean
 * with `lossStd` gets its ±std band. `more.extra` curves (e.g. dashed predictions), given in α,
 * are drawn with them.
 */
export function lossFigureSpec(series: readonly LossSeries[], title = 'Population loss', subtitle?: string, rules?: FigureOptions['rules'], more: LossFigureMore = {}): TopLevelSpec {
  const { xLog, yLog } = axesOf(more.scale ?? 'loglog');
  const time = more.time;
  const axis = (alpha: ArrayLike<number>) => (time ? timeAxis(time, alpha) : { values: alpha, title: 'α = samples / N' });
  return curvesFigureSpec(
    [...series.map((s) => ({ label: s.label, x: axis(s.trajectory.alpha).values, y: resolvedLoss(s.trajectory), points: s.points, std: s.trajectory.lossStd })), ...(more.extra ?? []).map((s) => ({ ...s, x: axis(s.x).values }))],
    { title, subtitle, x: { title: axis([]).title, log: xLog }, y: { title: 'population loss ε', log: yLog }, rules: rules?.map((r) => ({ ...r, x: axis([r.x]).values[0] })), hrules: more.hrules },
  );
}

/** Width of a text in px at a font size (a font's real metrics), for Vega's layout. */
export type TextWidth = (text: string, fontSize: number, bold: boolean) => number;

/**
 * Renders a Vega-Lite spec to an SVG string (no DOM, no canvas needed). `measure`: the text
 * widths of the font the SVG will be drawn in; without it Vega guesses 0.8 em per character,
 * too wide by half, and the figure gets an empty margin beside long titles and legends.
 */
export async function renderSvg(spec: TopLevelSpec, measure?: TextWidth): Promise<string> {
  // Loaded on first use: Vega and Vega-Lite take ~0.2 s to import, which every CLI command
  // that draws nothing (and `--help`) would otherwise pay.
  const [vega, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const metrics = (vega as unknown as { textMetrics: unknown }).textMetrics as { width: (item: { fontSize?: number; fontWeight?: string | number; limit?: number }, text: string) => number; estimateWidth: unknown };
  const before = metrics.width;
  if (measure) metrics.width = (item, text) => measure(String(text ?? '').trim(), item.fontSize ?? 11, item.fontWeight === 'bold' || Number(item.fontWeight) >= 600);
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
    metrics.width = before;
  }
}
