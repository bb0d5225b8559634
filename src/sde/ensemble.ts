/**
 * Ensembles of the stochastic overlap dynamics for a config (the quadratic network with a uniform
 * readout: exact noise, ./integrate.ts; any other network: sampled noise, ./integrateSampled.ts): the same problem,
 * save grid and initial overlaps as `onepass sim` and `onepass ode`, and the same Ensemble summary.
 *
 * Streams (src/random/streams.ts): run r's Brownian increments come from (seed, sdeNoise, r)
 * ("data" and "both") or (seed, sdeNoise, 0) for every run ("init"). Initial overlaps: "data"
 * starts every run from the overlaps of the config's initial weights (those `sim` and `ode` start
 * from), or, when N-dimensional weights would not fit in memory (N ≳ 4·10⁷), from one draw of
 * their exact law (./initLaw.ts, stream (init.seed, initOverlaps, 0)); "init" and "both" draw run
 * r's overlaps from the exact law with (init.seed, initOverlaps, r): the law of `sim`'s run-r
 * weights, not the same realisation.
 */
import type { Problem, InitialCondition } from '../model/problem.js';
import { initialCondition } from '../model/problem.js';
import type { Overlaps } from '../model/overlaps.js';
import type { Trajectory, SdeStats } from '../model/trajectory.js';
import { isOverlapInit } from '../model/init.js';
import { weightsFit } from '../model/config.js';
import { ConfigError } from '../model/errors.js';
import { Rng } from '../random/rng.js';
import { summarizeEnsemble, type Ensemble } from '../sim/ensemble.js';
import { simulateSde, type SdeSetup } from './integrate.js';
import { simulateSampledSde, type SampledSdeSetup } from './integrateSampled.js';
import { overlapRhs } from '../ode/solve.js';
import { protocolRates } from '../ode/protocol.js';
import { drawInitialOverlaps } from './initLaw.js';
import { uniformQuadraticScales } from '../ode/uniformQuadratic.js';
import { etaAt, isConstantEta, scheduleJumps } from '../model/schedule.js';

/**
 * The SDE's setup for the quadratic network with a uniform readout (exact noise, ./quadraticNoise.ts,
 * in (Q⊥, M)); null for the other networks, and for any with sdeNoise "sampled", whose noise is
 * sampled (`sampledSdeSetup`); ConfigError for sdeNoise "exact" where it is not derived.
 *
 * Mini-batches and schedules. One SGD step of n_b fresh samples at rate η moves the weights by
 * the mean of n_b per-sample kicks (src/ode/protocol.ts (1)), so with Z(η') the batch-1 increment
 * N ΔX of ./quadraticNoise.ts (3) at rate η',
 *   N ΔX_step = Σ_{b=1}^{n_b} Z_b(η/n_b) + R,                                                   (B1)
 * Z_b i.i.d. given X. R collects the cross terms a_kb a_lb' x_b·x_b'/N (b ≠ b') of N ΔQ: each is
 * O(N^{-1/2}) with an O(1/N) mean, so per unit α (N/n_b steps) they add O(1/N) to the drift and
 * O(N^{-2}) to the covariance: beyond the leading order kept here (as |x|²/N − 1 is at batch 1).
 * Per step (B1) has mean n_b F(η/n_b) and covariance n_b Cov Z(η/n_b); the M part of Z is linear
 * in η, so its per-step covariance is Cov Z^M(η)/n_b: the 1/batchSize of the noise. A unit of α is
 * N/n_b steps, so per unit α
 *   drift       (N/n_b)·n_b F(η/n_b)/N        = F(η/n_b),
 *   covariance  (N/n_b)·n_b Cov Z(η/n_b)/N²   = Cov Z(η/n_b)/N,                                  (B2)
 * i.e. batch n_b at η is the batch-1 SDE at η/n_b, noise included (the ODE's rule, protocol.ts,
 * extends to the fluctuations). Per unit α the M noise variance is thus (η/n_b)² Var/N: down by
 * n_b² at a fixed η, by n_b against a batch-1 run of the same drift (η/n_b) if the per-step 1/n_b
 * were dropped (the test's negative control: that SDE is the right one at N/n_b).
 * Time-dependent η: the step from α uses η(α)/n_b (SGD's step uses η at its start); over one SDE
 * step η changes by O(h), which is within Euler–Maruyama's weak order 1. A piecewise η jumps at
 * step boundaries (integrate.ts never steps across a jump).
 *
 * Uniform readouts (v_k = c/p, v*_j = c* / p*: "sum", or equal teacherReadout / studentReadout
 * entries; c* / c > 0). src/ode/uniformQuadratic.ts shows that every SGD step of such a network is,
 * on the same weights, the mean-readout step with η' = c²η, label noise Δ' = Δ/c², weight decay
 * λ' = λ/c² and the teacher rescaled w*' = a w*, a = √(c* / c) — step for step, no approximation.
 * So the overlaps (Q, M' = aM) with P' = a²P are exactly a mean-readout chain, their SDE is
 * ./quadraticNoise.ts's at those parameters (drift and noise), and (Q, M) = (Q, M'/a) is a fixed
 * linear map of it: the SDE of the uniform readout is the mapped mean-readout SDE, its M noise
 * scaled by 1/a, and ε = c²ε'. With a mini-batch and a schedule, η' = c²η(α)/n_b.
 */
export interface SdeProblemSetup extends SdeSetup {
  /** The problem is the mean readout's under M' = aM, P' = a²P, ε = lossScale·ε' (absent: it is the mean readout). */
  readonly meanEquivalent?: { readonly a: number; readonly lossScale: number };
}

export function sdeSetup(problem: Problem): SdeProblemSetup | null {
  const c = problem.config;
  const scales = problem.secondLayerRate === undefined ? uniformQuadraticScales(problem.network) : null;
  if (c.sdeNoise === 'exact' && !scales) throw new ConfigError('sdeNoise', '"exact" is derived for σ = z² (teacher too) with a uniform readout and a fixed second layer; use "sampled" or "auto" for this network');
  if (!scales || c.sdeNoise === 'sampled') return null;
  const B = problem.batchSize, spec = problem.etaSchedule;
  const uniform = scales && !(scales.c === 1 && scales.cStar === 1);
  const c2 = uniform ? scales.c * scales.c : 1;
  const schedule = isConstantEta(spec) ? {} : { etaAt: (a: number) => (c2 * etaAt(spec, a)) / B, jumps: scheduleJumps(spec) };
  const base = { p: c.p, pStar: c.pStar, ...schedule, N: c.N, step: c.sdeStep };
  if (!uniform) return { ...base, eta: etaAt(spec, 0) / B, noise: c.noise, weightDecay: c.weightDecay };
  return {
    ...base, eta: (c2 * etaAt(spec, 0)) / B, noise: c.noise / c2, weightDecay: c.weightDecay / c2,
    meanEquivalent: { a: Math.sqrt(scales.cStar / scales.c), lossScale: c2 },
  };
}

/**
 * The SDE's setup for any other network (erf, relu, linear; σ = z² with non-uniform readouts or a
 * trained second layer): the ODE's drift, the sampled noise of ./sampledNoise.ts, both at the
 * protocol's rates η(α)/n_b (and η_v(α)/n_b), by the argument of `sdeSetup` for batches and
 * schedules, which does not depend on the activation. P: the run's teacher overlap.
 */
export function sampledSdeSetup(problem: Problem, P: Float64Array): SampledSdeSetup {
  const c = problem.config;
  return {
    p: c.p, pStar: c.pStar, network: problem.network, noise: c.noise, train: problem.secondLayerRate !== undefined,
    rhsFrom: (from) => overlapRhs(problem, P, true, from),
    ratesAt: (a) => { const r = protocolRates(problem, a); return { eta: r.eta, etaV: r.secondLayerRate ?? 0 }; },
    jumps: scheduleJumps(problem.etaSchedule), N: c.N, step: c.sdeStep,
  };
}

/** Runs the setup's SDE from `start`, through the mean-readout equivalent when there is one (see sdeSetup). */
function simulateMapped(setup: SdeProblemSetup, start: Overlaps, saveAt: ArrayLike<number>, noise: Rng): Trajectory<SdeStats> {
  const eq = setup.meanEquivalent;
  if (!eq) return simulateSde(setup, start, saveAt, noise);
  const { a, lossScale } = eq;
  const t = simulateSde(setup, { ...start, M: start.M.map((x) => a * x), P: start.P.map((x) => a * a * x) }, saveAt, noise);
  return { ...t, M: t.M.map((m) => m.map((x) => x / a)), P: Float64Array.from(start.P), loss: t.loss.map((l) => l * lossScale) };
}

/**
 * The overlaps every "data" run starts from: the given initial condition's, else those of the
 * config's weights when they fit in memory, else a draw from their exact law.
 */
export function sdeCommonOverlaps(problem: Problem, initial?: InitialCondition): Overlaps {
  if (initial) return initial.overlaps;
  const c = problem.config;
  if (isOverlapInit(c.init) || weightsFit(c)) return initialCondition(c).overlaps;
  return drawInitialOverlaps(c.p, c.pStar, c.N, c.init.studentVariance, c.init.teacher, new Rng(c.init.seed, 'initOverlaps', 0));
}

/** Initial overlaps of run r (see the header). */
export function sdeRunOverlaps(problem: Problem, common: Overlaps, run: number): Overlaps {
  const c = problem.config;
  if (c.ensemble === 'data') return common;
  if (isOverlapInit(c.init)) throw new ConfigError('ensemble', `"${c.ensemble}" varies the initial weights, which needs a random init ({ teacher, studentVariance, seed }), not explicit overlaps; use "data"`);
  return drawInitialOverlaps(c.p, c.pStar, c.N, c.init.studentVariance, c.init.teacher, new Rng(c.init.seed, 'initOverlaps', run));
}

/** SDE run r of the problem's ensemble, from the common overlaps of `sdeCommonOverlaps`: the same trajectory wherever it runs. */
export function simulateSdeRun(problem: Problem, common: Overlaps, run: number, saveAt: ArrayLike<number> = problem.saveAt): Trajectory<SdeStats> {
  const c = problem.config;
  const noise = new Rng(c.seed, 'sdeNoise', c.ensemble === 'init' ? 0 : run);
  const start = sdeRunOverlaps(problem, common, run), setup = sdeSetup(problem);
  if (setup) return simulateMapped(setup, start, saveAt, noise);
  return simulateSampledSde(sampledSdeSetup(problem, Float64Array.from(start.P)), start, problem.network.v, saveAt, noise);
}

/** The config's `runs` SDE runs one after another (they are cheap: cost per unit α independent of N). */
export function simulateSdeEnsemble(problem: Problem, options: { readonly initial?: InitialCondition; readonly onProgress?: (fraction: number) => void; readonly saveAt?: ArrayLike<number> } = {}): Ensemble<SdeStats> {
  sdeSetup(problem); // a bad sdeNoise fails before any work
  const common = sdeCommonOverlaps(problem, options.initial);
  const runs: Trajectory<SdeStats>[] = [];
  for (let r = 0; r < problem.config.runs; r++) {
    runs.push(simulateSdeRun(problem, common, r, options.saveAt));
    options.onProgress?.((r + 1) / problem.config.runs);
  }
  return summarizeEnsemble(runs, problem.config.seed);
}
