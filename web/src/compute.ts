/**
 * What the explorer's worker computes, as plain functions of a request and a `post` callback, so
 * that Node can call them too (web/src/compute.test.ts checks the explorer's SGD against
 * `onepass sim`). Every number comes from the core through its entry points: `solve` for the ODE,
 * gradient flow and SGD run 0 of the ensemble (the very run `onepass sim` computes as run 0), and
 * `analyzeRun` for which analyses apply and their results. worker.ts only wires these to messages.
 */
import {
  parseConfig, makeProblem, initialCondition, solve, analyzeRun, analysisPlan, conservedDrift, hessianSpectrum,
  trajectoryJson, trajectoryCsv, provenance,
  type Trajectory, type Config,
} from '../../src/index.js';
import type { RunRequest, HessianRequest, SgdPoint, WorkerReply, DataExport } from './protocol.js';

/** Streamed points are sent at most this often: often enough to look live, rarely enough to stay cheap. */
const BATCH_MS = 80;

function exportsOf(config: Config, ode: Trajectory, sgd?: Trajectory): DataExport {
  const csv = trajectoryCsv([{ trajectory: ode, run: 0, seed: '' }, ...(sgd ? [{ trajectory: sgd, run: 0, seed: config.seed }] : [])], config);
  const json = JSON.stringify({ ode: trajectoryJson(ode), ...(sgd ? { sgd: trajectoryJson(sgd) } : {}), ...provenance(config) }, null, 1) + '\n';
  return { csv, json };
}

/** One config: the ODE and its analyses (posted first), then SGD run 0, its points streamed in batches. */
export function computeRun({ id, input }: RunRequest, post: (m: WorkerReply) => void): void {
  const config = parseConfig(input);
  const problem = makeProblem(config);
  const initial = initialCondition(config);
  const plan = analysisPlan(problem, 'ode');

  let t0 = performance.now();
  const ode = solve(problem, initial, { method: 'ode' });
  const gradientFlow = plan.gradientFlow ? solve(problem, initial, { method: 'gradientFlow' }) : undefined;
  const analysis = analyzeRun(problem, initial.overlaps, ode, gradientFlow);
  post({
    type: 'ode', id, ode: trajectoryJson(ode), analysis: analysis.quadratic ? analysis.result : null, notApplicable: plan.notApplicable,
    ms: performance.now() - t0,
    odeDrift: analysis.drift ? Array.from(analysis.drift) : [],
    gradientFlowDrift: analysis.gradientFlowDrift ? Array.from(analysis.gradientFlowDrift) : [],
    gradientFlowAlpha: gradientFlow ? Array.from(gradientFlow.alpha) : [],
    exports: exportsOf(config, ode),
  });

  // Run 0 of the ensemble, through the entry point `onepass sim` uses (same weights, same streams).
  t0 = performance.now();
  let batch: SgdPoint[] = [], last = performance.now(), fraction = 0;
  const flush = () => { if (batch.length) post({ type: 'sgd-points', id, points: batch, fraction }); batch = []; last = performance.now(); };
  const sgd = solve(problem, initial, {
    method: 'sgd',
    runs: [0],
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
  }).runs[0];
  flush();
  post({
    type: 'sgd-done', id, sgd: trajectoryJson(sgd), drift: plan.quadratic ? Array.from(conservedDrift(sgd, config.eta).drift) : [], ms: performance.now() - t0,
    exports: exportsOf(config, ode, sgd), engine: sgd.stats.wasmKernel === 1 ? 'WebAssembly SIMD' : 'JavaScript',
  });
}

/** The Hessian spectrum at one saved point of the ODE (the slider's α), off the page's thread. */
export function computeHessian({ id, index, overlaps }: HessianRequest, post: (m: WorkerReply) => void): void {
  const { p, pStar } = overlaps;
  const spectrum = hessianSpectrum({ p, pStar, Q: Float64Array.from(overlaps.Q), M: Float64Array.from(overlaps.M), P: Float64Array.from(overlaps.P) });
  post({ type: 'hessian', id, index, eigenvalues: spectrum.eigenvalues });
}
