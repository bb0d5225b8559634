/**
 * The explorer's worker: runs the core (imported from src/ directly) off the page's thread.
 * For one config it integrates the ODE (and gradient flow, for the conserved quantity), analyses
 * it, then runs one SGD trajectory at finite N and streams its saved points in small batches.
 */
import {
  parseConfig, makeProblem, initialCondition, solveOde, simulateRun, ensembleWeights, analyzeSetup, conservedDrift, quadraticAnalysesApply,
  trajectoryJson, trajectoryCsv, provenance, errorLine,
  type Trajectory, type Config,
} from '../../src/index.js';
import type { RunRequest, SgdPoint, WorkerReply, DataExport } from './protocol.js';

/** The worker global, typed by hand: the DOM lib (for the page) and the WebWorker lib cannot both be loaded. */
const scope = self as unknown as { postMessage(m: WorkerReply): void; onmessage: ((e: MessageEvent<RunRequest>) => void) | null };
const post = (m: WorkerReply) => scope.postMessage(m);

/** Streamed points are sent at most this often: often enough to look live, rarely enough to stay cheap. */
const BATCH_MS = 80;

/**
 * Beyond this width the page gets the overlap matrices at about 20 of the saved α (a p = 256
 * trajectory at every point is 20 M numbers to clone and draw), and the Hessian analyses, whose
 * eigenproblems have p(p + p*) sides, are skipped.
 */
const WIDE_P = 32;
const WIDE_FRAMES = 20;

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
  const wide = config.p > WIDE_P;
  const every = wide ? Math.max(1, Math.ceil(problem.saveAt.length / WIDE_FRAMES)) : 1;
  const keep = (i: number) => !wide || i % every === 0 || i === problem.saveAt.length - 1;
  // Progress of the two solves (a wide ODE takes seconds), at most every BATCH_MS.
  let shown = performance.now();
  const odeProgress = (offset: number) => (f: number) => {
    if (performance.now() - shown < BATCH_MS) return;
    shown = performance.now();
    post({ type: 'ode-progress', id, fraction: offset + f / 2 });
  };
  const ode = solveOde(problem, initial.overlaps, { onProgress: odeProgress(0), ...(wide ? { saveOverlaps: every } : {}) });
  const gradientFlow = solveOde(problem, initial.overlaps, { sgdNoise: false, onProgress: odeProgress(0.5), ...(wide ? { saveOverlaps: 'none' } : {}) });
  // The paper's analyses (conserved quantity, Hessian) are for the quadratic network only, and
  // need Q at every point and p(p + p*)-sided eigenproblems: not for wide runs.
  const quadratic = !wide && quadraticAnalysesApply(problem);
  const analysis = quadratic ? analyzeSetup({ eta: config.eta, noise: config.noise, weightDecay: config.weightDecay, initial: initial.overlaps, trajectory: ode, gradientFlow }) : null;
  post({
    type: 'ode', id, ode: trajectoryJson(ode), analysis, ms: performance.now() - t0,
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
  const sgd = simulateRun(problem, weights, 0, {
    onProgress: (f) => {
      fraction = f;
      if (performance.now() - last <= BATCH_MS) return;
      if (batch.length) flush();
      else { post({ type: 'sgd-progress', id, fraction }); last = performance.now(); }
    },
    onSave: (i, alpha, loss, Q, M) => {
      batch.push({ alpha, loss, Q: keep(i) ? Array.from(Q) : [], M: keep(i) ? Array.from(M) : [] });
      if (performance.now() - last > BATCH_MS) flush();
    },
  });
  flush();
  post({
    type: 'sgd-done', id, sgd: trajectoryJson(sgd), drift: quadratic ? Array.from(conservedDrift(sgd, config.eta).drift) : [], ms: performance.now() - t0,
    exports: exportsOf(config, ode, sgd), engine: sgd.stats.wasmKernel === 1 ? 'WebAssembly SIMD' : 'JavaScript',
  });
}

scope.onmessage = (e) => {
  try { run(e.data); } catch (err) {
    // Config errors were shown by the page before posting; anything else is reported, not swallowed.
    post({ type: 'error', id: e.data.id, message: errorLine(err).line });
  }
};
