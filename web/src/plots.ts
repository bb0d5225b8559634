/**
 * Vega-Lite specifications of the explorer's four figures. Data enter through named data sets
 * (`ode`, `sgd`, …) so that a running view is updated in place as points stream in, not rebuilt.
 */
import type { TopLevelSpec } from 'vega-lite';

const WIDTH = 440, HEIGHT = 260;
// resize: true re-lays out the view when streamed data change its axis labels (the default keeps the first layout).
const autosize = { type: 'pad' as const, resize: true };
const common = { width: WIDTH, height: HEIGHT, autosize, config: { font: 'system-ui, sans-serif', axis: { labelFontSize: 11, titleFontSize: 12 }, legend: { orient: 'bottom-left' as const, labelFontSize: 11, fillColor: '#ffffffcc' } } };

/** Rows {alpha, loss, series}; a log–log plot of the loss, ODE as a line, SGD as points. */
export function lossSpec(title: string): TopLevelSpec {
  const x = { field: 'alpha', type: 'quantitative' as const, scale: { type: 'log' as const }, title: 'α = samples / N' };
  const y = { field: 'loss', type: 'quantitative' as const, scale: { type: 'log' as const }, title: 'population loss ε' };
  const color = { field: 'series', type: 'nominal' as const, title: null, scale: { domain: ['ODE (N → ∞)', 'SGD'], range: ['#1f5fa8', '#e0702a'] } };
  return {
    ...common, title: { text: 'Loss', subtitle: title },
    layer: [
      { data: { name: 'ode' }, mark: { type: 'line', strokeWidth: 2 }, encoding: { x, y, color } },
      { data: { name: 'sgd' }, mark: { type: 'point', size: 14, filled: true, opacity: 0.8 }, encoding: { x, y, color } },
    ],
  } as TopLevelSpec;
}

/** Rows {solver, row, col, value}: one matrix per solver side by side, on a fixed symmetric colour scale. */
export function heatmapSpec(name: 'Q' | 'M', maxAbs: number, cols: number, rows: number): TopLevelSpec {
  const cell = Math.max(14, Math.min(46, Math.floor(200 / Math.max(rows, cols))));
  return {
    data: { name: 'cells' },
    title: { text: name === 'Q' ? 'Q = WWᵀ/N (student–student)' : 'M = WW*ᵀ/N (student–teacher)' },
    facet: { column: { field: 'solver', type: 'nominal', title: null, sort: ['ODE', 'SGD'] } },
    spec: {
      width: cell * cols, height: cell * rows,
      mark: { type: 'rect', stroke: '#fff', strokeWidth: 0.5 },
      encoding: {
        x: { field: 'col', type: 'ordinal', title: name === 'Q' ? 'l' : 'j (teacher)' },
        y: { field: 'row', type: 'ordinal', title: 'k (student)' },
        color: { field: 'value', type: 'quantitative', title: name, legend: { orient: 'right', direction: 'vertical', gradientLength: Math.max(60, cell * rows) }, scale: { scheme: 'redblue', reverse: true, domain: [-maxAbs, maxAbs] } },
        tooltip: [{ field: 'row' }, { field: 'col' }, { field: 'value', format: '.4g' }],
      },
    },
    autosize, config: common.config,
  } as TopLevelSpec;
}

/** Rows {alpha, drift, series}: relative drift of the conserved J, log–log. */
export function driftSpec(): TopLevelSpec {
  return {
    ...common, data: { name: 'drift' },
    title: { text: 'Drift of the conserved quantity J', subtitle: '‖J(α) − J(0)‖/‖J(0)‖; exactly 0 for gradient flow, broken by the η² term and finite N' },
    mark: { type: 'line', point: { size: 10 } },
    encoding: {
      x: { field: 'alpha', type: 'quantitative', scale: { type: 'log' }, title: 'α' },
      y: { field: 'drift', type: 'quantitative', scale: { type: 'log' }, title: 'relative drift' },
      color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'bottom', direction: 'horizontal' }, scale: { domain: ['gradient flow', 'ODE (with η²)', 'SGD'], range: ['#6a9f3a', '#1f5fa8', '#e0702a'] } },
    },
  } as TopLevelSpec;
}

/** Rows {index, eigenvalue, where}: the reduced Hessian's eigenvalues at the saddle and at a solution. */
export function hessianSpec(): TopLevelSpec {
  return {
    ...common, data: { name: 'eig' },
    title: { text: 'Hessian spectrum', subtitle: 'reduced Hessian of ε: symmetric saddle, zero-loss solution, and the ODE at the slider\'s α' },
    layer: [
      { mark: { type: 'rule', color: '#999' }, encoding: { y: { datum: 0 } } },
      {
        mark: { type: 'point', filled: true, size: 40 },
        encoding: {
          x: { field: 'index', type: 'quantitative', title: 'eigenvalue index (ascending)' },
          y: { field: 'eigenvalue', type: 'quantitative', title: 'eigenvalue', scale: { type: 'symlog', constant: 1e-3 } },
          color: { field: 'where', type: 'nominal', title: null, legend: { orient: 'top-left' }, scale: { range: ['#b2302e', '#1f5fa8', '#6a9f3a'] } },
          shape: { field: 'where', type: 'nominal', title: null, legend: { orient: 'top-left' } },
          tooltip: [{ field: 'where' }, { field: 'index' }, { field: 'eigenvalue', format: '.4g' }],
        },
      },
    ],
  } as TopLevelSpec;
}
