/**
 * Ensembles of the stochastic overlap dynamics (./integrate.ts) for a config: the same problem,
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
import { assertSdeSupported } from './quadraticNoise.js';
import { drawInitialOverlaps } from './initLaw.js';

/** The SDE's setup for a problem; ConfigError when the noise is not derived for it (only the quadratic network is). */
export function sdeSetup(problem: Problem): SdeSetup {
  const c = problem.config;
  assertSdeSupported(c.activation, c.readout, c.trainSecondLayer, c.teacherActivation);
  if (c.teacherReadout || c.studentReadout) throw new ConfigError('teacherReadout', 'the SDE noise is derived for the mean readout only (leave teacherReadout and studentReadout unset)');
  // The SDE's noise is derived for one sample per step at a constant η (issue 15's protocols are ODE and SGD only).
  if (typeof c.eta !== 'number' || c.batchSize !== 1) throw new ConfigError(typeof c.eta !== 'number' ? 'eta' : 'batchSize', 'the SDE is derived for a constant η and batchSize 1 (use sim or ode for schedules and mini-batches)');
  return { p: c.p, pStar: c.pStar, eta: c.eta, noise: c.noise, weightDecay: c.weightDecay, N: c.N, step: c.sdeStep };
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
  return simulateSde(sdeSetup(problem), sdeRunOverlaps(problem, common, run), saveAt, noise);
}

/** The config's `runs` SDE runs one after another (they are cheap: cost per unit α independent of N). */
export function simulateSdeEnsemble(problem: Problem, options: { readonly initial?: InitialCondition; readonly onProgress?: (fraction: number) => void; readonly saveAt?: ArrayLike<number> } = {}): Ensemble<SdeStats> {
  sdeSetup(problem); // refuse an unsupported problem before anything else
  const common = sdeCommonOverlaps(problem, options.initial);
  const runs: Trajectory<SdeStats>[] = [];
  for (let r = 0; r < problem.config.runs; r++) {
    runs.push(simulateSdeRun(problem, common, r, options.saveAt));
    options.onProgress?.((r + 1) / problem.config.runs);
  }
  return summarizeEnsemble(runs, problem.config.seed);
}
