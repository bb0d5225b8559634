/**
 * The loss-vs-α figure as a declarative Vega-Lite specification (log–log axes, one line per
 * solver or run), and its rendering to SVG with Vega's headless renderer. Pure and
 * browser-safe: PNG rasterisation lives in io/ (it needs a native rasteriser).
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { Trajectory } from '../model/trajectory.js';

export interface LossSeries {
  /** Legend label, e.g. "ODE" or "SGD N=2000 seed 1". */
  readonly label: string;
  readonly trajectory: Pick<Trajectory, 'alpha' | 'loss'>;
  /** Draw as points instead of a line (finite-N runs over an ODE line read better this way). */
  readonly points?: boolean;
}

/** Vega-Lite spec of population loss against α on log axes; points with α ≤ 0 or loss ≤ 0 are dropped. */
export function lossFigureSpec(series: readonly LossSeries[], title = 'Population loss', subtitle?: string): TopLevelSpec {
  const rows: { alpha: number; loss: number; series: string }[] = [];
  for (const s of series) {
    const { alpha, loss } = s.trajectory;
    for (let i = 0; i < alpha.length; i++) {
      if (alpha[i] > 0 && loss[i] > 0 && Number.isFinite(loss[i])) rows.push({ alpha: alpha[i], loss: loss[i], series: s.label });
    }
  }
  const x = { field: 'alpha', type: 'quantitative' as const, title: 'α = steps / N', scale: { type: 'log' as const } };
  const y = { field: 'loss', type: 'quantitative' as const, title: 'population loss ε', scale: { type: 'log' as const } };
  const color = { field: 'series', type: 'nominal' as const, title: null, sort: series.map((s) => s.label) };
  const lineLabels = series.filter((s) => !s.points).map((s) => s.label);
  const pointLabels = series.filter((s) => s.points).map((s) => s.label);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: subtitle ? { text: title, subtitle } : title,
    width: 560,
    height: 360,
    background: 'white',
    data: { values: rows },
    layer: [
      { transform: [{ filter: { field: 'series', oneOf: pointLabels } }], mark: { type: 'point', size: 14, filled: true, opacity: 0.6 }, encoding: { x, y, color } },
      { transform: [{ filter: { field: 'series', oneOf: lineLabels } }], mark: { type: 'line', strokeWidth: 2 }, encoding: { x, y, color } },
    ],
  };
}

/** Renders a Vega-Lite spec to an SVG string (no DOM, no canvas needed). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
