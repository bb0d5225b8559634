/**
 * What the explorer's worker computes, as plain functions of a request and a `post` callback, so
 * that Node can call them too (web/src/compute.test.ts checks the explorer's SGD against
 * `onepass sim`). Every number comes from the core through its entry points: `solve` for the ODE,
 * gradient flow and SGD run 0 of the ensemble (the very run `onepass sim` computes as run 0), and
 * `analyzeRun` for which analyses apply and their results. worker.ts only wires these to messages.
 */
import {
  parseConfig, makeProblem, initialCondition, solve, analysisRates, analyzeRun, analyzeLossCurve, analysisPlan, conservedDrift, hessianSpectrum,
  trajectoryJson, trajectoryCsv, provenance,
  type Trajectory, type Config,
} from '../../src/index.js';
import { summarizeEnsemble } from '../../src/sim/ensemble.js';
import { simulateSdeEnsemble } from '../../src/sde/ensemble.js';
import { lossBand } from '../../src/analysis/ensembleBand.js';
import { errorLine } from '../../src/model/errors.js';
import type { RunRequest, HessianRequest, SgdPoint, WorkerReply, DataExport, SdeReply } from './protocol.js';

/** Streamed points are sent at most this often: often enough to look live, rarely enough to stay cheap. */
const BATCH_MS = 80;

/**
 * Beyond this width the page gets the overlap matrices at about 20 of the saved α (a p = 256
 * trajectory at every point is 20 M numbers to clone and draw), and the conserved-quantity and
 * Hessian analyses, whose eigenproblems have p(p + p*) sides, are skipped; the loss curve and
 * its plateau and escape are shown up to any width the config accepts (p = 256 tested in Node).
 */
const WIDE_P = 32;
const WIDE_FRAMES = 20;
/**
 * And at most about this many overlap numbers per trajectory: at p = 256 that is 7 frames of
 * p² + p·p* numbers, not 20 (with the exports, a 100 MB message before), and the SGD run, which
 * keeps every matrix, is thinned the same way before it is cloned or exported (all 200 of them
 * made a JSON export longer than a string can be).
 */
const WIDE_NUMBERS = 5e5;

/** The trajectory with Q and M (and v) emptied at the saved points `keep` rejects: "kept no overlaps" (Trajectory). */
function thinned<T extends Trajectory>(t: T, keep: (i: number) => boolean): T {
  const empty = new Float64Array(0);
  const pick = (xs: Float64Array[]) => xs.map((x, i) => (keep(i) ? x : empty));
  return { ...t, Q: pick(t.Q), M: pick(t.M), ...(t.v ? { v: pick(t.v) } : {}) };
}

function exportsOf(config: Config, ode: Trajectory, sgd: Trajectory[] = []): DataExport {
  const csv = trajectoryCsv([{ trajectory: ode, run: 0, seed: '' }, ...sgd.map((t, run) => ({ trajectory: t, run, seed: config.seed }))], config);
  const json = JSON.stringify({ ode: trajectoryJson(ode), ...(sgd.length ? { sgd: sgd.length === 1 ? trajectoryJson(sgd[0]) : sgd.map(trajectoryJson) } : {}), ...provenance(config) }, null, 1) + '\n';
  return { csv, json };
}

/** The explorer's band: 10 % and 90 % of the loss over the SDE runs. */
export const SDE_BAND: readonly [number, number] = [0.1, 0.9];

/**
 * The SDE ensemble of the config with `runs` runs, through the entry point `onepass sde` uses
 * (`simulateSdeEnsemble`, the same initial overlaps as the ODE, streams (seed, sdeNoise, r)), so
 * that its mean is that of `onepass sde --json --set runs=…`; with its 10–90 % band. Where the
 * SDE refuses the config (e.g. sdeNoise "exact" for a network it is not derived for) the core's one-line reason.
 */
export function computeSde(id: number, input: Record<string, unknown>, runs: number): SdeReply {
  const t0 = performance.now();
  let ensemble;
  try {
    ensemble = simulateSdeEnsemble(makeProblem(parseConfig({ ...input, runs })));
  } catch (e) {
    const { user, line } = errorLine(e);
    if (!user) throw e;
    return { type: 'sde', id, notApplicable: line };
  }
  const band = lossBand(ensemble.runs, ...SDE_BAND);
  return {
    type: 'sde', id, runs, alpha: Array.from(band.alpha), mean: Array.from(band.mean), lo: Array.from(band.lo), hi: Array.from(band.hi),
    notCompleted: ensemble.runs.filter((t) => t.status !== 'completed').length, ms: performance.now() - t0,
  };
}

/**
 * One config: the ODE and its analyses (posted first), then (with `sdeRuns`) the SDE ensemble's
 * band, then SGD run 0, its points streamed in batches.
 */
export function computeRun({ id, input, sdeRuns }: RunRequest, post: (m: WorkerReply) => void): void {
  const config = parseConfig(input);
  const problem = makeProblem(config);
  const initial = initialCondition(config);
  const wide = config.p > WIDE_P;
  // The paper's analyses (conserved quantity, Hessian) need Q at every point and p(p + p*)-sided
  // eigenproblems: not for wide runs, which say so instead.
  const plan0 = analysisPlan(problem, 'ode');
  const plan = wide && plan0.quadratic
    ? { ...plan0, quadratic: false, gradientFlow: false, notApplicable: `the conserved quantity and Hessian analyses are skipped in the explorer above p = ${WIDE_P} (run onepass analyze)` }
    : plan0;
  const frames = Math.max(3, Math.min(WIDE_FRAMES, Math.floor(WIDE_NUMBERS / (config.p * (config.p + config.pStar)))));
  const every = wide ? Math.max(1, Math.ceil(problem.saveAt.length / frames)) : 1;
  const keep = (i: number) => !wide || i % every === 0 || i === problem.saveAt.length - 1;
  // Progress of the solves (a wide ODE takes seconds), at most every BATCH_MS.
  let shown = performance.now();
  const odeProgress = (offset: number, share: number) => (f: number) => {
    if (performance.now() - shown < BATCH_MS) return;
    shown = performance.now();
    post({ type: 'ode-progress', id, fraction: offset + f * share });
  };

  let t0 = performance.now();
  const ode = solve(problem, initial, { method: 'ode', onProgress: odeProgress(0, plan.gradientFlow ? 0.5 : 1), ...(wide ? { saveOverlaps: every } : {}) });
  const gradientFlow = plan.gradientFlow ? solve(problem, initial, { method: 'gradientFlow', onProgress: odeProgress(0.5, 0.5) }) : undefined;
  const analysis = wide ? null : analyzeRun(problem, initial.overlaps, ode, gradientFlow);
  // The loss-curve analyses (plateaus, escape) hold for any network and cost one pass over the
  // saved losses: shown wherever the others do not apply, wide runs included (as analyzeRun does
  // for other activations: the floor of label noise Δ/2 under the loss).
  const lossAnalysis = wide ? analyzeLossCurve(ode.alpha, ode.loss, { floor: config.noise / 2 }) : analysis && !analysis.quadratic ? analysis.result : null;
  post({
    type: 'ode', id, ode: trajectoryJson(ode), analysis: analysis?.quadratic ? analysis.result : null, notApplicable: plan.notApplicable,
    lossAnalysis,
    ms: performance.now() - t0,
    odeDrift: analysis?.drift ? Array.from(analysis.drift) : [],
    gradientFlowDrift: analysis?.gradientFlowDrift ? Array.from(analysis.gradientFlowDrift) : [],
    gradientFlowAlpha: gradientFlow ? Array.from(gradientFlow.alpha) : [],
    exports: exportsOf(config, ode),
  });
  // The SDE before the SGD: it costs a fraction of a second whatever N, so its band comes at once.
  if (sdeRuns) post(computeSde(id, input, sdeRuns));

  // Run 0 of the ensemble, through the entry point `onepass sim` uses (same weights, same streams).
  t0 = performance.now();
  let batch: SgdPoint[] = [], last = performance.now(), fraction = 0;
  const flush = () => { if (batch.length) post({ type: 'sgd-points', id, points: batch, fraction }); batch = []; last = performance.now(); };
  const runs = config.runs;
  const rates = analysisRates(problem); // η/n_b and ∫η/n_b dα (batch size, schedule)
  const sgd = solve(problem, initial, {
    method: 'sgd',
    runs: [0],
    onProgress: (f) => {
      fraction = f / runs;
      if (performance.now() - last <= BATCH_MS) return;
      if (batch.length) flush();
      else { post({ type: 'sgd-progress', id, fraction }); last = performance.now(); }
    },
    onSave: (i, alpha, loss, Q, M) => {
      batch.push({ alpha, loss, Q: keep(i) ? Array.from(Q) : [], M: keep(i) ? Array.from(M) : [] });
      if (performance.now() - last > BATCH_MS) flush();
    },
  }).runs[0];
  flush();
  // The other runs of the ensemble (streams (seed, r)), for the mean ± std; only run 0 is streamed.
  const all = [sgd];
  for (let r = 1; r < runs; r++) {
    all.push(solve(problem, initial, {
      method: 'sgd', runs: [r],
      onProgress: (f) => { if (performance.now() - last > BATCH_MS) { post({ type: 'sgd-progress', id, fraction: (r + f) / runs }); last = performance.now(); } },
    }).runs[0]);
  }
  const ensemble = runs > 1 ? summarizeEnsemble(all, config.seed) : undefined;
  // SGD keeps every overlap matrix: a wide run's are thinned like the ODE's before they are cloned or exported.
  const sent = wide ? all.map((t) => thinned(t, keep)) : all;
  post({
    type: 'sgd-done', id, sgd: trajectoryJson(sent[0]), drift: plan.quadratic ? Array.from(conservedDrift(sgd, rates.eta, rates.etaIntegral).drift) : [], ms: performance.now() - t0,
    exports: exportsOf(config, ode, sent), engine: sgd.stats.wasmKernel === 1 ? 'WebAssembly SIMD' : 'JavaScript',
    ensemble: ensemble && { alpha: Array.from(ensemble.alpha), lossMean: Array.from(ensemble.lossMean), lossStd: Array.from(ensemble.lossStd), runs, notCompleted: all.filter((t) => t.status !== 'completed').length },
  });
}

/** The Hessian spectrum at one saved point of the ODE (the slider's α), off the page's thread. */
export function computeHessian({ id, index, overlaps }: HessianRequest, post: (m: WorkerReply) => void): void {
  const { p, pStar } = overlaps;
  const spectrum = hessianSpectrum({ p, pStar, Q: Float64Array.from(overlaps.Q), M: Float64Array.from(overlaps.M), P: Float64Array.from(overlaps.P) });
  post({ type: 'hessian', id, index, eigenvalues: spectrum.eigenvalues });
}
