/**
 * The explorer page: controls ↔ URL state, one worker doing the computing, and the figures.
 * The page only parses, posts and draws (the shells' rule); a new run replaces the worker, so a
 * long SGD run is cancelled at once instead of being waited for.
 */
import embed, { type Result } from 'vega-embed';
import type { TopLevelSpec } from 'vega-lite';
import type { SetupAnalysis, TrajectoryJson, LossCurveAnalysis } from '../../src/index.js';
import { sgdWork } from '../../src/model/budget.js';
import { describeEta } from '../../src/model/schedule.js';
import ExplorerWorker from './worker.ts?worker&inline';
import type { DataExport, RunRequest, HessianRequest, SgdPoint, WorkerReply, SdeReply } from './protocol.js';
import { FIELDS, PRESETS, presetState, presetOf, stateFromQuery, stateToQuery, validate, sdeFromQuery, type State } from './state.js';
import { lossSpec, heatmapSpec, driftSpec, hessianSpec, sdeSeries } from './plots.js';

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
  /** Why the quadratic analyses do not apply (the core's analysisPlan), when they do not. */
  notApplicable?: string | null;
  /** The Hessian spectrum at the slider's saved point, from the Hessian worker. */
  hessianAt?: { index: number; eigenvalues: number[] };
  /** runs > 1: mean ± std of the loss over the runs, when all are done. */
  ensemble?: { alpha: number[]; lossMean: number[]; lossStd: number[]; runs: number; notCompleted: number };
  /** When the SGD started (ms, performance.now) and its estimated seconds, for the time left. */
  sgdStart?: number;
  /** The SDE ensemble's mean and 10–90 % band (or why it does not apply), when asked for. */
  sde?: SdeReply;
}
let current: RunData = { id: 0, sgd: [] };
let worker: Worker | null = null;
let pendingAt: number | null = null;

// ---------- controls and state ----------

/** Options of the select controls. */
const CHOICES = {
  activation: [['square', 'square (σ(z) = z²)'], ['erf', 'erf (erf(z/√2))'], ['relu', 'ReLU'], ['linear', 'linear']],
  readout: [['mean', 'mean (1/p, 1/p*)'], ['sum', 'sum (Saad–Solla)']],
  trainSecondLayer: [['false', 'no (v fixed)'], ['true', 'yes (η_v = η)']],
} as const;

/** The network in the header, for the chosen activation and readout. */
const SIGMA: Record<string, string> = { square: 'σ(z) = z²', erf: 'σ(z) = erf(z/√2)', relu: 'σ(z) = max(0, z)', linear: 'σ(z) = z' };
function formulaText(state: State): string {
  const sum = state.readout === 'sum' ? 'Σₖ vₖ' : '(1/p) Σₖ';
  return `ŷ = ${sum} σ(wₖ·x/√N) with ${SIGMA[state.activation] ?? `σ = ${state.activation}`}${state.readout === 'sum' ? ', vₖ = 1' : ''}${state.trainSecondLayer === 'true' ? ' (v trained)' : ''}`;
}

/** The preset menu shows the preset the controls are at, or "custom" once one is changed. */
function showPreset(): void {
  $<HTMLSelectElement>('preset').value = presetOf(readForm());
}

function buildControls(): void {
  const preset = $<HTMLSelectElement>('preset');
  for (const p of PRESETS) preset.add(new Option(p.label, p.name));
  preset.add(new Option('custom (changed by hand)', 'custom'));
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
  preset.addEventListener('change', () => { if (preset.value !== 'custom') { setForm(presetState(preset.value)); start(); } });
  form.addEventListener('input', showPreset);
  form.addEventListener('change', showPreset);
  form.addEventListener('submit', (e) => { e.preventDefault(); start(); });
}

function readForm(): State {
  const data = new FormData(form);
  return Object.fromEntries(FIELDS.map((f) => [f.key, String(data.get(f.key) ?? '')])) as State;
}

function setForm(state: State): void {
  for (const f of FIELDS) (form.elements.namedItem(f.key) as HTMLInputElement).value = state[f.key];
  showPreset();
}

/** The "SDE ensemble" control: 0 (off) or the number of SDE runs. */
const sdeSelect = () => $<HTMLSelectElement>('field-sde');

function saveUrl(): void {
  history.replaceState(null, '', stateToQuery(readForm(), { sde: sdeSelect().value, at: slider.value }));
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
  $('model-formula').textContent = formulaText(state);
  // A fresh worker per run: terminating the old one is the cancellation.
  worker?.terminate();
  worker = new ExplorerWorker();
  worker.onmessage = (e: MessageEvent<WorkerReply>) => receive(e.data);
  current = { id: current.id + 1, sgd: [] };
  setStatus('running', 'integrating the ODE…');
  $('progress').setAttribute('value', '0');
  const sdeRuns = Number(sdeSelect().value);
  $('sde-final-loss').textContent = sdeRuns ? '…' : 'off';
  const request: RunRequest = { type: 'run', id: current.id, input: v.input, ...(sdeRuns ? { sdeRuns } : {}) };
  worker.postMessage(request);
}

function receive(m: WorkerReply): void {
  if (m.id !== current.id) return; // a reply from a run that was replaced
  switch (m.type) {
    case 'ode':
      Object.assign(current, { ode: m.ode, analysis: m.analysis, notApplicable: m.notApplicable, odeDrift: m.odeDrift, gradientFlow: { alpha: m.gradientFlowAlpha, drift: m.gradientFlowDrift }, exports: m.exports, sgdStart: performance.now() });
      showOde(m.ode, m.analysis, m.lossAnalysis, m.ms);
      setStatus('ode-done', `ODE in ${m.ms.toFixed(0)} ms; ${sgdText(0)}`);
      void drawAll();
      break;
    case 'sde': {
      current.sde = m;
      const out = $('sde-final-loss');
      if ('notApplicable' in m) { out.textContent = 'not applicable'; out.title = m.notApplicable; }
      else {
        const i = m.mean.length - 1;
        out.textContent = `${fmt(m.mean[i])} [${fmt(m.lo[i], 2)}, ${fmt(m.hi[i], 2)}] (${m.runs} runs${m.notCompleted ? `, ${m.notCompleted} diverged` : ''})`;
        out.title = `mean and 10–90 % of ${m.runs} SDE runs, ${(m.ms / 1000).toFixed(1)} s`;
        out.dataset.runs = String(m.runs);
      }
      updateSgd();
      break;
    }
    case 'sgd-points':
      current.sgd.push(...m.points);
      $('progress').setAttribute('value', String(m.fraction));
      $('status').textContent = sgdText(m.fraction);
      updateSgd();
      break;
    case 'sgd-progress':
      $('progress').setAttribute('value', String(m.fraction));
      $('status').textContent = sgdText(m.fraction);
      break;
    case 'ode-progress':
      $('progress').setAttribute('value', String(m.fraction));
      setStatus('running', `solving the ODE… ${(100 * m.fraction).toFixed(0)}%`);
      break;
    case 'sgd-done':
      current.sgdDrift = m.drift;
      current.exports = m.exports;
      current.ensemble = m.ensemble;
      $('progress').setAttribute('value', '1');
      updateSgd();
      setData('drift', driftRows());
      showSgdFinal(m.sgd, m.ensemble);
      setStatus('done', `done: ODE and ${m.ensemble ? `${m.ensemble.runs} SGD runs` : 'one SGD run'} (${m.sgd.stats.steps} steps${m.ensemble ? ' each' : ''} in ${(m.ms / 1000).toFixed(1)} s, ${m.engine} loop). ${m.sgd.status === 'completed' ? '' : m.sgd.message}`);
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

/** A duration for people: "40 s", "3 min 05 s", "1 h 10 min". */
function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/**
 * The SGD's status line: before any progress, the budget's estimate (src/model/budget.ts, one
 * thread); then the time left at the rate so far.
 */
function sgdText(fraction: number): string {
  const v = validate(readForm());
  const runs = 'config' in v ? v.config.runs : 1;
  const what = `SGD at N = ${readForm().N}${runs > 1 ? `, ${runs} runs` : ''}`;
  if (!(fraction > 0.002) || current.sgdStart === undefined) {
    const estimate = 'config' in v ? sgdWork(v.config, 1).seconds : NaN;
    return `${what} running… (estimated ${duration(estimate)})`;
  }
  const elapsed = (performance.now() - current.sgdStart) / 1000;
  return `${what}: ${Math.floor(fraction * 100)}% after ${duration(elapsed)}, about ${duration((elapsed * (1 - fraction)) / fraction)} left`;
}

/** "final loss, SGD": the last loss of a run that completed; a diverged run says so, not its last finite loss. */
function showSgdFinal(sgd: TrajectoryJson, ensemble?: { lossMean: number[]; lossStd: number[]; runs: number; notCompleted: number }): void {
  const out = $('sgd-final-loss');
  out.dataset.status = sgd.status;
  if (sgd.status !== 'completed') {
    out.textContent = `${sgd.status} at α ≈ ${fmt(sgd.alpha[sgd.alpha.length - 1], 3)}`;
    out.title = sgd.message;
  } else if (ensemble) {
    const i = ensemble.lossMean.length - 1;
    out.textContent = ensemble.notCompleted ? `${ensemble.notCompleted} of ${ensemble.runs} runs diverged` : `${fmt(ensemble.lossMean[i])} ± ${fmt(ensemble.lossStd[i], 2)} (${ensemble.runs} runs)`;
    out.title = '';
  } else {
    out.textContent = fmt(sgd.loss[sgd.loss.length - 1]);
    out.title = '';
  }
}

/** Marks the drift and Hessian cards as not applicable (a note instead of empty axes), or as applicable again. */
function setApplicable(applicable: boolean): void {
  for (const id of ['card-drift', 'card-hessian']) {
    const card = $(id);
    card.classList.toggle('na', !applicable);
    const note = card.querySelector<HTMLElement>('.not-applicable')!;
    note.hidden = applicable;
    note.textContent = id === 'card-drift'
      ? 'Drift of the conserved quantity J: derived for the quadratic network (σ(z) = z², mean readout, v fixed) only, so not drawn for this network.'
      : 'Hessian spectrum: derived for the quadratic network (σ(z) = z², mean readout, v fixed) only, so not drawn for this network.';
  }
}

function showOde(ode: TrajectoryJson, a: SetupAnalysis | null, lossAnalysis: LossCurveAnalysis | null, ms: number): void {
  const final = ode.loss[ode.loss.length - 1];
  const out = $('ode-final-loss');
  // Full precision for the browser test (String round-trips a double), rounded for the eye.
  out.dataset.value = String(final);
  out.dataset.run = String(current.id);
  out.dataset.alpha = String(ode.alpha[ode.alpha.length - 1]);
  out.textContent = fmt(final, 6);
  $('sgd-final-loss').textContent = '…';
  setApplicable(a !== null);
  if (!a) {
    // The loss-curve analyses hold for any network (as in `onepass analyze`); J and the Hessian for the quadratic one only.
    const l = lossAnalysis;
    $('summary').innerHTML = [
      ['plateau', l?.plateau ? `ε ≈ ${fmt(l.plateau.loss)} on α ∈ [${fmt(l.plateau.startAlpha, 3)}, ${fmt(l.plateau.endAlpha, 3)}]` : 'none found'],
      ['escape', !l || l.escapeAlpha === null ? 'not within α_max' : `α_esc = ${fmt(l.escapeAlpha)}`],
      ['conserved J, Hessian', `not applicable: ${current.notApplicable ?? 'derived for the quadratic network (square, mean readout) only'}`],
      ['ODE', `${ode.stats.acceptedSteps} steps in ${ms.toFixed(0)} ms; ${ode.message}`],
    ].map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('');
    return;
  }
  const h = a.hessian;
  $('summary').innerHTML = [
    ['plateau', a.plateau ? `ε ≈ ${fmt(a.plateau.loss)} on α ∈ [${fmt(a.plateau.startAlpha, 3)}, ${fmt(a.plateau.endAlpha, 3)}] (saddle ${fmt(a.theory.saddleLoss)})` : 'none found'],
    ['escape', a.escapeAlpha === null ? 'not within α_max' : `α_esc = ${fmt(a.escapeAlpha)}`],
    ['conserved J', `max drift ${fmt(a.conserved.maxDrift, 3)} (gradient flow ${fmt(a.conserved.gradientFlowMaxDrift, 3)})`],
    ['Hessian, saddle', !h ? a.hessianSkipped ?? 'skipped' : `${h.saddle.negative} negative, ${h.saddle.zero} zero, ${h.saddle.positive} positive`],
    ['Hessian, solution', !h ? 'skipped' : h.solution ? `${h.solution.negative} negative, ${h.solution.zero} zero, ${h.solution.positive} positive` : 'n/a (p < p*)'],
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
  const e = current.ensemble;
  // With an ensemble the points are its mean and the band its ± std (on the log axis down to a tenth of the mean at most).
  const name = e ? `SGD mean ± std of ${e.runs} runs` : 'SGD';
  const sgd = e
    ? e.alpha.map((alpha, i) => ({ alpha, loss: e.lossMean[i], series: name }))
    : current.sgd.map((s) => ({ alpha: s.alpha, loss: s.loss, series: 'SGD' }));
  const band = e ? e.alpha.map((alpha, i) => ({ alpha, lo: Math.max(e.lossMean[i] - e.lossStd[i], e.lossMean[i] / 10), hi: e.lossMean[i] + e.lossStd[i], series: name })).filter((r) => positive(r.alpha) && positive(r.lo)) : [];
  // The SDE ensemble: its mean as a line, its 10–90 % band (SDE_BAND of compute.ts) as an area.
  const d = current.sde && !('notApplicable' in current.sde) ? current.sde : undefined;
  const sdeName = d ? sdeSeries(d.runs) : '';
  return {
    sde: d ? d.alpha.map((alpha, i) => ({ alpha, loss: d.mean[i], series: sdeName })).filter((r) => positive(r.alpha) && positive(r.loss)) : [],
    sdeBand: d ? d.alpha.map((alpha, i) => ({ alpha, lo: d.lo[i], hi: d.hi[i], series: sdeName })).filter((r) => positive(r.alpha) && positive(r.lo)) : [],
    ode: ode.alpha.map((alpha, i) => ({ alpha, loss: ode.loss[i], series: 'ODE (N → ∞)' })).filter((r) => positive(r.alpha) && positive(r.loss)),
    sgd: sgd.filter((r) => positive(r.alpha) && positive(r.loss)),
    band,
    cursor: cursorRows(),
  };
}

/** The slider's α as a marker on the loss curve (none at α = 0, which a log axis cannot show). */
function cursorRows(): unknown[] {
  const alpha = current.ode?.alpha[Number(slider.value)];
  return alpha !== undefined && alpha > 0 ? [{ alpha, label: `α = ${fmt(alpha, 3)}` }] : [];
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
  if (!h) return { eig: [] };
  const rows = h.saddle.eigenvalues.map((eigenvalue, index) => ({ index, eigenvalue, where: 'symmetric saddle' }));
  h.solution?.eigenvalues.forEach((eigenvalue, index) => rows.push({ index, eigenvalue, where: 'zero-loss solution' }));
  // And at the current point of the ODE trajectory (the slider's α), once the Hessian worker has it.
  const ode = current.ode, at = current.hessianAt;
  if (at && at.index === Number(slider.value)) at.eigenvalues.forEach((eigenvalue, index) => rows.push({ index, eigenvalue, where: `ODE at α = ${fmt(ode.alpha[at.index], 3)}` }));
  return { eig: rows };
}

/**
 * The Hessian at the slider's point is computed by a second instance of the worker (the first is
 * busy with the SGD run), one request at a time: a request made while one is out waits, and only
 * the latest slider position is asked for when the reply comes.
 */
let hessianWorker: Worker | null = null;
let hessianBusy = false, hessianWanted = false;
function requestHessian(): void {
  if (!current.analysis || !current.ode) return;
  if (hessianBusy) { hessianWanted = true; return; }
  if (!hessianWorker) {
    hessianWorker = new ExplorerWorker();
    hessianWorker.onmessage = (e: MessageEvent<WorkerReply>) => {
      const m = e.data;
      hessianBusy = false;
      if (m.type === 'hessian' && m.id === current.id) { current.hessianAt = { index: m.index, eigenvalues: m.eigenvalues }; setData('hessian', hessianRows()); }
      if (hessianWanted) { hessianWanted = false; requestHessian(); }
    };
  }
  const ode = current.ode, index = Number(slider.value);
  if (current.hessianAt?.index === index) return;
  const request: HessianRequest = { type: 'hessian', id: current.id, index, overlaps: { p: ode.p, pStar: ode.pStar, Q: ode.Q[index].flat(), M: ode.M[index].flat(), P: ode.P.flat() } };
  hessianBusy = true;
  hessianWorker.postMessage(request);
}

/**
 * The saved point nearest to i that holds overlaps: a wide run (p > 32) keeps them at about 20
 * of its α (worker.ts), so the heatmaps show the closest of those.
 */
function keptIndex(i: number): number {
  const Q = current.ode!.Q;
  for (let d = 0; d < Q.length; d++) {
    if (i - d >= 0 && Q[i - d].length) return i - d;
    if (i + d < Q.length && Q[i + d].length) return i + d;
  }
  return i;
}

function cellRows(name: 'Q' | 'M', at: number): unknown[] {
  const ode = current.ode!;
  const i = keptIndex(at);
  const cols = name === 'Q' ? ode.p : ode.pStar;
  const rows: { solver: string; row: number; col: number; value: number }[] = [];
  const odeMatrix = ode[name][i];
  odeMatrix.forEach((r, k) => r.forEach((value, j) => rows.push({ solver: 'ODE', row: k, col: j, value })));
  const s = current.sgd[i];
  if (s && s[name].length) s[name].forEach((value, idx) => rows.push({ solver: 'SGD', row: Math.floor(idx / cols), col: idx % cols, value }));
  return rows;
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
    draw('loss', lossSpec(subtitle, 'config' in c ? c.config.runs : 1, Number(sdeSelect().value)), lossRows()),
    draw('Q', heatmapSpec('Q', ode.p, ode.p), { cells: cellRows('Q', i) }),
    draw('M', heatmapSpec('M', ode.pStar, ode.p), { cells: cellRows('M', i) }),
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
  for (const name of ['Q', 'M'] as const) {
    views[name]?.signal('at', fmt(current.ode.alpha[i], 4));
    setData(name, { cells: cellRows(name, i) });
  }
  setData('loss', { cursor: cursorRows() });
  setData('hessian', hessianRows());
  requestHessian();
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

// For the browser tests and the curious: the live Vega views (data sets, signals) by figure name.
(window as unknown as { onepassExplorer: { views: typeof views } }).onepassExplorer = { views };

buildControls();
wireExports();
slider.addEventListener('input', showSlider);
slider.addEventListener('change', saveUrl);
$('play').addEventListener('click', togglePlay);
setForm(stateFromQuery(location.search));
sdeSelect().value = sdeFromQuery(location.search);
const at = new URLSearchParams(location.search).get('at');
pendingAt = at !== null && /^\d+$/.test(at) ? Number(at) : null;
start();
