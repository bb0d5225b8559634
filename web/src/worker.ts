/**
 * The explorer's worker: runs the core (imported from src/ directly) off the page's thread.
 * For one config it integrates the ODE (and gradient flow, for the conserved quantity), analyses
 * it, then runs one SGD trajectory at finite N and streams its saved points in small batches.
 */
import {
  parseConfig, makeProblem, initialCondition, solveOde, analysisRates, simulateRun, ensembleWeights, analyzeSetup, conservedDrift, quadraticAnalysesApply,
  trajectoryJson, trajectoryCsv, provenance, errorLine,
  type Trajectory, type Config,
} from '../../src/index.js';
import type { RunRequest, SgdPoint, WorkerReply, DataExport } from './protocol.js';

/** The worker global, typed by hand: the DOM lib (for the page) and the WebWorker lib cannot both be loaded. */
const scope = self as unknown as { postMessage(m: WorkerReply): void; onmessage: ((e: MessageEvent<RunRequest>) => void) | null };
const post = (m: WorkerReply) => scope.postMessage(m);

/** Streamed points are sent at most this often: often enough to look live, rarely enough to stay cheap. */
const BATCH_MS = 80;

function exportsOf(config: Config, ode: Trajectory, sgd?: Trajectory): DataExport {
  const csv = trajectoryCsv([{ trajectory: ode, run: 0, seed: '' }, ...(sgd ? [{ trajectory: sgd, run: 0, seed: config.seed }] : [])], config);
  const json = JSON.stringify({ ode: trajectoryJson(ode), ...(sgd ? { sgd: trajectoryJson(sgd) } : {}), ...provenance(config) }, null, 1) + '\n';
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
  const rates = analysisRates(problem); // η/n_b and ∫η/n_b dα (batch size, schedule)
  const analysis = quadratic ? analyzeSetup({ ...rates, noise: config.noise, weightDecay: config.weightDecay, initial: initial.overlaps, trajectory: ode, gradientFlow }) : null;
  post({
    type: 'ode', id, ode: trajectoryJson(ode), analysis, ms: performance.now() - t0,
    odeDrift: quadratic ? Array.from(conservedDrift(ode, rates.eta, rates.etaIntegral).drift) : [],
    gradientFlowDrift: quadratic ? Array.from(conservedDrift(gradientFlow, rates.eta, rates.etaIntegral).drift) : [],
    gradientFlowAlpha: Array.from(gradientFlow.alpha),
    exports: exportsOf(config, ode),
  });

  // Run 0 of the ensemble, by the very functions `onepass sim` calls (same weights, same streams).
  t0 = performance.now();
  const weights = ensembleWeights(problem, initial);
  let batch: SgdPoint[] = [], last = performance.now(), fraction = 0;
  const flush = () => { if (batch.length) post({ type: 'sgd-points', id, points: batch, fraction }); batch = []; last = performance.now(); };
  const sgd = simulateRun(problem, weights, 0, {
    onProgress: (f) => {
      fraction = f;
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
  post({
    type: 'sgd-done', id, sgd: trajectoryJson(sgd), drift: quadratic ? Array.from(conservedDrift(sgd, rates.eta, rates.etaIntegral).drift) : [], ms: performance.now() - t0,
    exports: exportsOf(config, ode, sgd), engine: sgd.stats.wasmKernel === 1 ? 'WebAssembly SIMD' : 'JavaScript',
  });
}

scope.onmessage = (e) => {
  try { run(e.data); } catch (err) {
    // Config errors were shown by the page before posting; anything else is reported, not swallowed.
    post({ type: 'error', id: e.data.id, message: errorLine(err).line });
  }
};
