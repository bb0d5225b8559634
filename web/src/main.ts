/**
 * The explorer page: controls ↔ URL state, one worker doing the computing, and the figures.
 * The page only parses, posts and draws (the shells' rule); a new run replaces the worker, so a
 * long SGD run is cancelled at once instead of being waited for.
 */
import embed, { type Result } from 'vega-embed';
import type { TopLevelSpec } from 'vega-lite';
import type { SetupAnalysis, TrajectoryJson } from '../../src/index.js';
import { hessianSpectrum } from '../../src/analysis/hessian.js';
import { describeEta } from '../../src/model/schedule.js';
import ExplorerWorker from './worker.ts?worker&inline';
import type { DataExport, RunRequest, SgdPoint, WorkerReply } from './protocol.js';
import { FIELDS, PRESETS, presetState, stateFromQuery, stateToQuery, validate, type State } from './state.js';
import { lossSpec, heatmapSpec, driftSpec, hessianSpec } from './plots.js';

type View = Result['view'];
type FigureName = 'loss' | 'Q' | 'M' | 'drift' | 'hessian';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const form = $<HTMLFormElement>('controls');
const slider = $<HTMLInputElement>('alpha-slider');
const views: Partial<Record<FigureName, View>> = {};

/** What the current run has produced so far. */
interface RunData {
  id: number;
  ode?: TrajectoryJson;
  analysis?: SetupAnalysis | null;
  odeDrift?: number[];
  gradientFlow?: { alpha: number[]; drift: number[] };
  sgd: SgdPoint[];
  sgdDrift?: number[];
  exports?: DataExport;
}
let current: RunData = { id: 0, sgd: [] };
let worker: Worker | null = null;
let pendingAt: number | null = null;

// ---------- controls and state ----------

/** Options of the select controls. */
const CHOICES = {
  activation: [['square', 'square (σ(z) = z²)'], ['erf', 'erf (erf(z/√2))'], ['relu', 'ReLU'], ['linear', 'linear']],
  readout: [['mean', 'mean (1/p, 1/p*)'], ['sum', 'sum (Saad–Solla)']],
} as const;

function buildControls(): void {
  const preset = $<HTMLSelectElement>('preset');
  for (const p of PRESETS) preset.add(new Option(p.label, p.name));
  const fields = $('fields');
  for (const f of FIELDS) {
    const label = document.createElement('label');
    label.textContent = f.label;
    const input = document.createElement(f.key in CHOICES ? 'select' : 'input') as HTMLInputElement | HTMLSelectElement;
    input.name = f.key;
    input.id = `field-${f.key.replace('.', '-')}`;
    if (input instanceof HTMLSelectElement) for (const [value, text] of CHOICES[f.key as keyof typeof CHOICES]) input.add(new Option(text, value));
    else { input.type = 'text'; input.inputMode = f.key === 'eta' ? 'text' : 'decimal'; input.spellcheck = false; } // η may be a schedule's JSON
    label.append(input);
    fields.append(label);
  }
  preset.addEventListener('change', () => { setForm(presetState(preset.value)); start(); });
  form.addEventListener('submit', (e) => { e.preventDefault(); start(); });
}

function readForm(): State {
  const data = new FormData(form);
  return Object.fromEntries(FIELDS.map((f) => [f.key, String(data.get(f.key) ?? '')])) as State;
}

function setForm(state: State): void {
  for (const f of FIELDS) (form.elements.namedItem(f.key) as HTMLInputElement).value = state[f.key];
}

function saveUrl(): void {
  history.replaceState(null, '', stateToQuery(readForm(), { at: slider.value }));
}

// ---------- running ----------

function setStatus(status: 'running' | 'ode-done' | 'done' | 'error', text: string): void {
  document.body.dataset.status = status;
  $('status').textContent = text;
}

function start(): void {
  const state = readForm();
  saveUrl();
  const v = validate(state);
  const error = $('error');
  if ('error' in v) {
    worker?.terminate(); worker = null;
    error.textContent = `error: ${v.error}`;
    error.hidden = false;
    $('results').classList.add('stale');
    setStatus('error', 'not run: fix the value above');
    return;
  }
  error.hidden = true;
  $('results').classList.remove('stale');
  // A fresh worker per run: terminating the old one is the cancellation.
  worker?.terminate();
  worker = new ExplorerWorker();
  worker.onmessage = (e: MessageEvent<WorkerReply>) => receive(e.data);
  current = { id: current.id + 1, sgd: [] };
  setStatus('running', 'integrating the ODE…');
  $('progress').setAttribute('value', '0');
  const request: RunRequest = { type: 'run', id: current.id, input: v.input };
  worker.postMessage(request);
}

function receive(m: WorkerReply): void {
  if (m.id !== current.id) return; // a reply from a run that was replaced
  switch (m.type) {
    case 'ode':
      Object.assign(current, { ode: m.ode, analysis: m.analysis, odeDrift: m.odeDrift, gradientFlow: { alpha: m.gradientFlowAlpha, drift: m.gradientFlowDrift }, exports: m.exports });
      showOde(m.ode, m.analysis, m.ms);
      setStatus('ode-done', `ODE in ${m.ms.toFixed(0)} ms; SGD at N = ${readForm().N} running…`);
      void drawAll();
      break;
    case 'sgd-points':
      current.sgd.push(...m.points);
      $('progress').setAttribute('value', String(m.fraction));
      updateSgd();
      break;
    case 'sgd-progress':
      $('progress').setAttribute('value', String(m.fraction));
      break;
    case 'sgd-done':
      current.sgdDrift = m.drift;
      current.exports = m.exports;
      $('progress').setAttribute('value', '1');
      updateSgd();
      setData('drift', driftRows());
      $('sgd-final-loss').textContent = fmt(m.sgd.loss[m.sgd.loss.length - 1]);
      setStatus('done', `done: ODE and one SGD run (${m.sgd.stats.steps} steps in ${(m.ms / 1000).toFixed(1)} s, ${m.engine} loop). ${m.sgd.status === 'completed' ? '' : m.sgd.message}`);
      break;
    case 'error':
      $('error').textContent = `error: ${m.message}`;
      $('error').hidden = false;
      setStatus('error', 'the run failed');
      break;
  }
}

// ---------- numbers ----------

const fmt = (x: number | null | undefined, d = 4) => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toPrecision(d));

function showOde(ode: TrajectoryJson, a: SetupAnalysis | null, ms: number): void {
  const final = ode.loss[ode.loss.length - 1];
  const out = $('ode-final-loss');
  // Full precision for the browser test (String round-trips a double), rounded for the eye.
  out.dataset.value = String(final);
  out.dataset.run = String(current.id);
  out.dataset.alpha = String(ode.alpha[ode.alpha.length - 1]);
  out.textContent = fmt(final, 6);
  $('sgd-final-loss').textContent = '…';
  if (!a) {
    // The analyses (plateau from the loss aside) are for the quadratic network only.
    $('summary').innerHTML = [
      ['analyses', 'conserved quantity and Hessian: quadratic network (square, mean readout) only'],
      ['ODE', `${ode.stats.acceptedSteps} steps in ${ms.toFixed(0)} ms; ${ode.message}`],
    ].map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('');
    return;
  }
  const h = a.hessian;
  $('summary').innerHTML = [
    ['plateau', a.plateau ? `ε ≈ ${fmt(a.plateau.loss)} on α ∈ [${fmt(a.plateau.startAlpha, 3)}, ${fmt(a.plateau.endAlpha, 3)}] (saddle ${fmt(a.theory.saddleLoss)})` : 'none found'],
    ['escape', a.escapeAlpha === null ? 'not within α_max' : `α_esc = ${fmt(a.escapeAlpha)}`],
    ['conserved J', `max drift ${fmt(a.conserved.maxDrift, 3)} (gradient flow ${fmt(a.conserved.gradientFlowMaxDrift, 3)})`],
    ['Hessian, saddle', `${h.plateau.negative} negative, ${h.plateau.zero} zero, ${h.plateau.positive} positive`],
    ['Hessian, solution', h.solution ? `${h.solution.negative} negative, ${h.solution.zero} zero, ${h.solution.positive} positive` : 'n/a (p < p*)'],
    ['ODE', `${ode.stats.acceptedSteps} steps in ${ms.toFixed(0)} ms; ${ode.message}`],
  ].map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('');
}

// ---------- figures ----------

/** The spec with each named data set `{ name: k }` given its rows inline, so the first layout already sees them. */
function withValues(spec: unknown, rows: Record<string, unknown[]>): unknown {
  if (Array.isArray(spec)) return spec.map((s) => withValues(s, rows));
  if (spec === null || typeof spec !== 'object') return spec;
  const o = spec as Record<string, unknown>;
  if (typeof o.name === 'string' && Object.keys(o).length === 1 && o.name in rows) return { name: o.name, values: rows[o.name] };
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, withValues(v, rows)]));
}

// Canvas, not SVG: Vega's SVG legends reference gradients by the page's full URL, which Chromium
// blocks from file:// (the built site must work opened from a folder). Exports re-render as SVG anyway.
async function draw(name: FigureName, spec: TopLevelSpec, rows: Record<string, unknown[]>): Promise<void> {
  views[name]?.finalize();
  const result = await embed($(`fig-${name}`), withValues(spec, rows) as TopLevelSpec, { actions: false, renderer: 'canvas' });
  views[name] = result.view;
}

function setData(name: FigureName, rows: Record<string, unknown[]>): void {
  const view = views[name];
  if (!view) return;
  for (const [k, v] of Object.entries(rows)) view.data(k, v);
  void view.runAsync();
}

const positive = (x: number) => Number.isFinite(x) && x > 0;

function lossRows(): Record<string, unknown[]> {
  const ode = current.ode!;
  return {
    ode: ode.alpha.map((alpha, i) => ({ alpha, loss: ode.loss[i], series: 'ODE (N → ∞)' })).filter((r) => positive(r.alpha) && positive(r.loss)),
    sgd: current.sgd.map((s) => ({ alpha: s.alpha, loss: s.loss, series: 'SGD' })).filter((r) => positive(r.alpha) && positive(r.loss)),
  };
}

function driftRows(): Record<string, unknown[]> {
  const rows: { alpha: number; drift: number; series: string }[] = [];
  const add = (alpha: number[], drift: number[] | undefined, series: string) => drift?.forEach((d, i) => rows.push({ alpha: alpha[i], drift: d, series }));
  add(current.gradientFlow?.alpha ?? [], current.gradientFlow?.drift, 'gradient flow');
  add(current.ode?.alpha ?? [], current.odeDrift, 'ODE (with η²)');
  add(current.sgd.map((s) => s.alpha), current.sgdDrift, 'SGD');
  return { drift: rows.filter((r) => positive(r.alpha) && positive(r.drift)) };
}

function hessianRows(): Record<string, unknown[]> {
  if (!current.analysis || !current.ode) return { eig: [] };
  const h = current.analysis.hessian;
  const rows = h.plateau.eigenvalues.map((eigenvalue, index) => ({ index, eigenvalue, where: 'symmetric saddle' }));
  h.solution?.eigenvalues.forEach((eigenvalue, index) => rows.push({ index, eigenvalue, where: 'zero-loss solution' }));
  // And at the current point of the ODE trajectory (the slider's α): a pure library call, cheap
  // for the widths the page runs (a p(p + p*)-sided symmetric eigenproblem).
  const ode = current.ode, i = Number(slider.value);
  const flat = (m: number[][]) => Float64Array.from(m.flat());
  const here = hessianSpectrum({ p: ode.p, pStar: ode.pStar, Q: flat(ode.Q[i]), M: flat(ode.M[i]), P: flat(ode.P) });
  here.eigenvalues.forEach((eigenvalue, index) => rows.push({ index, eigenvalue, where: `ODE at α = ${fmt(ode.alpha[i], 3)}` }));
  return { eig: rows };
}

function cellRows(name: 'Q' | 'M', i: number): unknown[] {
  const ode = current.ode!;
  const cols = name === 'Q' ? ode.p : ode.pStar;
  const rows: { solver: string; row: number; col: number; value: number }[] = [];
  const odeMatrix = ode[name][i];
  odeMatrix.forEach((r, k) => r.forEach((value, j) => rows.push({ solver: 'ODE', row: k, col: j, value })));
  const s = current.sgd[i];
  if (s) s[name].forEach((value, idx) => rows.push({ solver: 'SGD', row: Math.floor(idx / cols), col: idx % cols, value }));
  return rows;
}

function maxAbs(ms: number[][][]): number {
  let m = 0;
  for (const a of ms) for (const r of a) for (const v of r) if (Number.isFinite(v)) m = Math.max(m, Math.abs(v));
  return m || 1;
}

// Canvas, not SVG: Vega's SVG legends reference gradients by the page's full URL, which Chromium
// blocks from file:// (the built site must work opened from a folder). Exports re-render as SVG anyway.
async function drawAll(): Promise<void> {
  const ode = current.ode!;
  const id = current.id;
  slider.max = String(ode.alpha.length - 1);
  slider.value = String(pendingAt !== null ? Math.min(pendingAt, ode.alpha.length - 1) : ode.alpha.length - 1);
  pendingAt = null;
  const c = validate(readForm());
  const subtitle = 'config' in c ? `p = ${c.config.p}, p* = ${c.config.pStar}, ${describeEta(c.config.eta)}${c.config.batchSize === 1 ? '' : `, n_b = ${c.config.batchSize}`}, Δ = ${c.config.noise}, σ² = ${'studentVariance' in c.config.init ? c.config.init.studentVariance : '—'}, N = ${c.config.N}` : '';
  const i = Number(slider.value);
  await Promise.all([
    draw('loss', lossSpec(subtitle), lossRows()),
    draw('Q', heatmapSpec('Q', maxAbs(ode.Q), ode.p, ode.p), { cells: cellRows('Q', i) }),
    draw('M', heatmapSpec('M', maxAbs(ode.M), ode.pStar, ode.p), { cells: cellRows('M', i) }),
    draw('drift', driftSpec(), driftRows()),
    draw('hessian', hessianSpec(), hessianRows()),
  ]);
  if (id !== current.id) return;
  updateSgd();
  saveUrl();
}

function updateSgd(): void {
  if (!current.ode) return;
  setData('loss', lossRows());
  showSlider();
}

function showSlider(): void {
  if (!current.ode) return;
  const i = Number(slider.value);
  $('alpha-value').textContent = `α = ${fmt(current.ode.alpha[i], 4)} (ε_ODE = ${fmt(current.ode.loss[i])}${current.sgd[i] ? `, ε_SGD = ${fmt(current.sgd[i].loss)}` : ''})`;
  setData('Q', { cells: cellRows('Q', i) });
  setData('M', { cells: cellRows('M', i) });
  setData('hessian', hessianRows());
}

let playing: number | null = null;
function togglePlay(): void {
  const button = $<HTMLButtonElement>('play');
  if (playing !== null) { clearInterval(playing); playing = null; button.textContent = '▶ play'; saveUrl(); return; }
  if (Number(slider.value) >= Number(slider.max)) slider.value = '0';
  button.textContent = '❚❚ pause';
  playing = window.setInterval(() => {
    const next = Number(slider.value) + 1;
    if (next > Number(slider.max)) { togglePlay(); return; }
    slider.value = String(next);
    showSlider();
  }, 40);
}

// ---------- export ----------

function download(name: string, href: string): void {
  const a = document.createElement('a');
  a.href = href; a.download = name;
  document.body.append(a); a.click(); a.remove();
}

const blobUrl = (text: string, type: string) => URL.createObjectURL(new Blob([text], { type }));

async function exportFigure(name: FigureName, format: 'svg' | 'png'): Promise<void> {
  const view = views[name];
  if (!view) return;
  if (format === 'svg') download(`onepass-${name}.svg`, blobUrl(await view.toSVG(), 'image/svg+xml'));
  else download(`onepass-${name}.png`, await view.toImageURL('png', 2));
}

function wireExports(): void {
  document.querySelectorAll<HTMLButtonElement>('button[data-figure]').forEach((b) => {
    b.addEventListener('click', () => void exportFigure(b.dataset.figure as FigureName, b.dataset.format as 'svg' | 'png'));
  });
  $('export-csv').addEventListener('click', () => current.exports && download('onepass-trajectory.csv', blobUrl(current.exports.csv, 'text/csv')));
  $('export-json').addEventListener('click', () => current.exports && download('onepass-result.json', blobUrl(current.exports.json, 'application/json')));
}

// ---------- start ----------

buildControls();
wireExports();
slider.addEventListener('input', showSlider);
slider.addEventListener('change', saveUrl);
$('play').addEventListener('click', togglePlay);
setForm(stateFromQuery(location.search));
const at = new URLSearchParams(location.search).get('at');
pendingAt = at !== null && /^\d+$/.test(at) ? Number(at) : null;
start();
