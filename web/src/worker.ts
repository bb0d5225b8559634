/**
 * The explorer's worker: runs the core (imported from src/ directly) off the page's thread.
 * For one config it integrates the ODE (and gradient flow, for the conserved quantity), analyses
 * it, then runs one SGD trajectory at finite N and streams its saved points in small batches.
 */
import {
  parseConfig, makeProblem, initialCondition, solveOde, simulateRun, ensembleWeights, analyzeSetup, analyzeLossCurve, conservedDrift, quadraticAnalysesApply,
  trajectoryJson, trajectoryCsv, provenance, errorLine,
  type Trajectory, type Config,
} from '../../src/index.js';
import { summarizeEnsemble } from '../../src/sim/ensemble.js';
import type { RunRequest, SgdPoint, WorkerReply, DataExport } from './protocol.js';

/** The worker global, typed by hand: the DOM lib (for the page) and the WebWorker lib cannot both be loaded. */
const scope = self as unknown as { postMessage(m: WorkerReply): void; onmessage: ((e: MessageEvent<RunRequest>) => void) | null };
const post = (m: WorkerReply) => scope.postMessage(m);

/** Streamed points are sent at most this often: often enough to look live, rarely enough to stay cheap. */
const BATCH_MS = 80;

function exportsOf(config: Config, ode: Trajectory, sgd: Trajectory[] = []): DataExport {
  const csv = trajectoryCsv([{ trajectory: ode, run: 0, seed: '' }, ...sgd.map((t, run) => ({ trajectory: t, run, seed: config.seed }))], config);
  const json = JSON.stringify({ ode: trajectoryJson(ode), ...(sgd.length ? { sgd: sgd.length === 1 ? trajectoryJson(sgd[0]) : sgd.map(trajectoryJson) } : {}), ...provenance(config) }, null, 1) + '\n';
  return { csv, json };
}

function run({ id, input }: RunRequest): void {
  const config = parseConfig(input);
  const problem = makeProblem(config);
  const initial = initialCondition(config);

  let t0 = performance.now();
  const ode = solveOde(problem, initial.overlaps);
  const gradientFlow = solveOde(problem, initial.overlaps, { sgdNoise: false });
  // The paper's analyses (conserved quantity, Hessian) are for the quadratic network only.
  const quadratic = quadraticAnalysesApply(problem);
  const analysis = quadratic ? analyzeSetup({ eta: config.eta, noise: config.noise, weightDecay: config.weightDecay, initial: initial.overlaps, trajectory: ode, gradientFlow }) : null;
  // The loss-curve analyses (plateaus, escape) hold for any activation: shown when the others do not apply.
  const lossAnalysis = quadratic ? null : analyzeLossCurve(ode.alpha, ode.loss, { floor: config.noise / 2 });
  post({
    type: 'ode', id, ode: trajectoryJson(ode), analysis, lossAnalysis, ms: performance.now() - t0,
    odeDrift: quadratic ? Array.from(conservedDrift(ode, config.eta).drift) : [],
    gradientFlowDrift: quadratic ? Array.from(conservedDrift(gradientFlow, config.eta).drift) : [],
    gradientFlowAlpha: Array.from(gradientFlow.alpha),
    exports: exportsOf(config, ode),
  });

  // Run 0 of the ensemble, by the very functions `onepass sim` calls (same weights, same streams).
  t0 = performance.now();
  const weights = ensembleWeights(problem, initial);
  let batch: SgdPoint[] = [], last = performance.now(), fraction = 0;
  const flush = () => { if (batch.length) post({ type: 'sgd-points', id, points: batch, fraction }); batch = []; last = performance.now(); };
  const runs = config.runs;
  const sgd = simulateRun(problem, weights, 0, {
    onProgress: (f) => {
      fraction = f / runs;
      if (performance.now() - last <= BATCH_MS) return;
      if (batch.length) flush();
      else { post({ type: 'sgd-progress', id, fraction }); last = performance.now(); }
    },
    onSave: (_i, alpha, loss, Q, M) => {
      batch.push({ alpha, loss, Q: Array.from(Q), M: Array.from(M) });
      if (performance.now() - last > BATCH_MS) flush();
    },
  });
  flush();
  // The other runs of the ensemble (streams (seed, r)), for the mean ± std; only run 0 is streamed.
  const all = [sgd];
  for (let r = 1; r < runs; r++) {
    all.push(simulateRun(problem, weights, r, {
      onProgress: (f) => { if (performance.now() - last > BATCH_MS) { post({ type: 'sgd-progress', id, fraction: (r + f) / runs }); last = performance.now(); } },
    }));
  }
  const ensemble = runs > 1 ? summarizeEnsemble(all, config.seed) : undefined;
  post({
    type: 'sgd-done', id, sgd: trajectoryJson(sgd), drift: quadratic ? Array.from(conservedDrift(sgd, config.eta).drift) : [], ms: performance.now() - t0,
    exports: exportsOf(config, ode, all), engine: sgd.stats.wasmKernel === 1 ? 'WebAssembly SIMD' : 'JavaScript',
    ensemble: ensemble && { alpha: Array.from(ensemble.alpha), lossMean: Array.from(ensemble.lossMean), lossStd: Array.from(ensemble.lossStd), runs, notCompleted: all.filter((t) => t.status !== 'completed').length },
  });
}

scope.onmessage = (e) => {
  try { run(e.data); } catch (err) {
    // Config errors were shown by the page before posting; anything else is reported, not swallowed.
    post({ type: 'error', id: e.data.id, message: errorLine(err).line });
  }
};
