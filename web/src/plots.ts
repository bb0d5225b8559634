/**
 * Vega-Lite specifications of the explorer's figures. Data enter through named data sets
 * (`ode`, `sgd`, …) so that a running view is updated in place as points stream in, not rebuilt.
 */
import type { TopLevelSpec } from 'vega-lite';
import { powerOfTenLabelExpr } from '../../src/plot/scale.js';

/** Log axes labelled 10ᵏ at the powers of ten, like the CLI's figures (src/plot/scale.ts). */
const logAxis = { labelExpr: powerOfTenLabelExpr() };

// The line charts fill their card ('container' width: vega-embed follows the card's size), so
// none spills out of it at any window width.
const HEIGHT = 260;
// resize: true re-lays out the view when streamed data change its axis labels (the default keeps the first layout).
const autosize = { type: 'fit-x' as const, contains: 'padding' as const, resize: true };
const config = { font: 'system-ui, sans-serif', axis: { labelFontSize: 11, titleFontSize: 12 }, title: { subtitleFontSize: 11 }, legend: { orient: 'bottom-left' as const, labelFontSize: 11, fillColor: '#ffffffcc', labelLimit: 0, symbolOpacity: 1 } };
const common = { width: 'container' as const, height: HEIGHT, autosize, config };

/** The legend name of the SDE ensemble's mean and band. */
export const sdeSeries = (runs: number) => `SDE mean, 10–90 % of ${runs} runs`;

/**
 * Rows {alpha, loss, series}; a log–log plot of the loss, ODE as a line, SGD as points; `band`
 * rows {alpha, lo, hi} the ensemble's mean ± std; with `sdeRuns` > 0 the SDE ensemble's mean
 * (`sde`, a dashed line) and its 10–90 % band (`sdeBand`); `cursor` one row {alpha}, the slider's α.
 */
export function lossSpec(title: string, runs = 1, sdeRuns = 0): TopLevelSpec {
  const x = { field: 'alpha', type: 'quantitative' as const, scale: { type: 'log' as const }, title: 'α = samples / N', axis: logAxis };
  const y = { field: 'loss', type: 'quantitative' as const, scale: { type: 'log' as const }, title: 'population loss ε', axis: logAxis };
  const domain = ['ODE (N → ∞)', runs > 1 ? `SGD mean ± std of ${runs} runs` : 'SGD', ...(sdeRuns > 0 ? [sdeSeries(sdeRuns)] : [])];
  const color = { field: 'series', type: 'nominal' as const, title: null, scale: { domain, range: ['#1f5fa8', '#e0702a', '#6a9f3a'] } };
  return {
    ...common, title: { text: 'Loss', subtitle: title },
    layer: [
      { data: { name: 'sdeBand' }, mark: { type: 'area', opacity: 0.25 }, encoding: { x, y: { ...y, field: 'lo' }, y2: { field: 'hi' }, color } },
      { data: { name: 'sde' }, mark: { type: 'line', strokeWidth: 1.5, strokeDash: [5, 3] }, encoding: { x, y, color } },
      { data: { name: 'band' }, mark: { type: 'area', opacity: 0.2 }, encoding: { x, y: { ...y, field: 'lo' }, y2: { field: 'hi' }, color } },
      { data: { name: 'ode' }, mark: { type: 'line', strokeWidth: 2 }, encoding: { x, y, color } },
      { data: { name: 'sgd' }, mark: { type: 'point', size: 14, filled: true, opacity: 0.8 }, encoding: { x, y, color } },
      { data: { name: 'cursor' }, mark: { type: 'rule', color: '#555', strokeDash: [4, 3] }, encoding: { x } },
      { data: { name: 'cursor' }, mark: { type: 'text', align: 'left', dx: 3, dy: 4, baseline: 'top', color: '#444', fontSize: 11 }, encoding: { x, y: { value: 0 }, text: { field: 'label' } } },
    ],
  } as TopLevelSpec;
}

/**
 * Rows {solver, row, col, value}: one matrix per solver side by side. The colour scale is the
 * snapshot's own (data-driven, centred on 0), so early overlaps of size σ² are not all white, and
 * the title carries the snapshot's α (param `at`, set with the slider), so an export says where it is from.
 */
export function heatmapSpec(name: 'Q' | 'M', cols: number, rows: number): TopLevelSpec {
  const cell = Math.max(14, Math.min(40, Math.floor(180 / Math.max(rows, cols))));
  const what = name === 'Q' ? 'Q = WWᵀ/N (student k × student l)' : 'M = WW*ᵀ/N (student k × teacher j)';
  return {
    data: { name: 'cells' },
    params: [{ name: 'at', value: '' }],
    title: { text: { expr: `'${what} at α = ' + at` } },
    facet: { column: { field: 'solver', type: 'nominal', title: null, sort: ['ODE', 'SGD'] } },
    spec: {
      width: cell * cols, height: cell * rows,
      mark: { type: 'rect', stroke: '#fff', strokeWidth: 0.5 },
      encoding: {
        // Short axis titles: under each facet a long one ran into its neighbour's ("j (teacher)j (teacher)").
        x: { field: 'col', type: 'ordinal', title: name === 'Q' ? 'l' : 'j' },
        y: { field: 'row', type: 'ordinal', title: 'k' },
        color: { field: 'value', type: 'quantitative', title: name, legend: { orient: 'right', direction: 'vertical', gradientLength: Math.max(60, cell * rows), format: '.3~g' }, scale: { scheme: 'redblue', reverse: true, domainMid: 0, nice: false } },
        tooltip: [{ field: 'row' }, { field: 'col' }, { field: 'value', format: '.4g' }],
      },
    },
    autosize: { type: 'pad', resize: true }, config,
  } as TopLevelSpec;
}

/** Rows {alpha, drift, series}: relative drift of the conserved J, log–log. */
export function driftSpec(): TopLevelSpec {
  return {
    ...common, data: { name: 'drift' },
    title: { text: 'Drift of the conserved quantity J', subtitle: ['‖J(α) − J(0)‖/‖J(0)‖: exactly 0 for gradient flow,', 'broken by the η² term and by finite N'] },
    mark: { type: 'line', point: { size: 10 } },
    encoding: {
      x: { field: 'alpha', type: 'quantitative', scale: { type: 'log' }, title: 'α = samples / N', axis: logAxis },
      y: { field: 'drift', type: 'quantitative', scale: { type: 'log' }, title: 'relative drift', axis: logAxis },
      color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'bottom', direction: 'horizontal', columns: 3 }, scale: { domain: ['gradient flow', 'ODE (with η²)', 'SGD'], range: ['#6a9f3a', '#1f5fa8', '#e0702a'] } },
    },
  } as TopLevelSpec;
}

/** Rows {index, eigenvalue, where}: the reduced Hessian's eigenvalues at the saddle and at a solution. */
export function hessianSpec(): TopLevelSpec {
  return {
    ...common, data: { name: 'eig' },
    title: { text: 'Hessian spectrum', subtitle: ['reduced Hessian of ε: at the symmetric saddle, a zero-loss', 'solution, and the ODE at the slider\'s α'] },
    layer: [
      { mark: { type: 'rule', color: '#999' }, encoding: { y: { datum: 0 } } },
      {
        mark: { type: 'point', filled: true, size: 40 },
        encoding: {
          x: { field: 'index', type: 'quantitative', title: 'eigenvalue index (ascending)' },
          y: { field: 'eigenvalue', type: 'quantitative', title: 'eigenvalue', scale: { type: 'symlog', constant: 1e-3 } },
          // The legend below the plot, not inside it over the points.
          color: { field: 'where', type: 'nominal', title: null, legend: { orient: 'bottom', direction: 'vertical' }, scale: { range: ['#b2302e', '#1f5fa8', '#6a9f3a'] } },
          shape: { field: 'where', type: 'nominal', title: null, legend: { orient: 'bottom', direction: 'vertical' } },
          tooltip: [{ field: 'where' }, { field: 'index' }, { field: 'eigenvalue', format: '.4g' }],
        },
      },
    ],
  } as TopLevelSpec;
}
