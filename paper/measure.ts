/**
 * Everything the claims are decided on, measured once and shared: the width study (ODE for each
 * student width p in each regime), the escape law's σ² sweeps, the headline setup (ODE in each
 * regime, SGD with several seeds per N), the Hessian setups and phase retrieval.
 *
 * A regime is the gradient-flow limit (η → 0) or a finite η. Gradient flow is the ODE without
 * its η² SGD-noise term; every other term of dQ/dα and dM/dα is η times a function of the
 * overlaps, so in the rescaled time t = ηα/p its solution does not depend on η: it is solved at
 * the config's η and read in t (paper.test.ts checks the independence). A finite η runs to the
 * same t as the config: α_max·η_config/η.
 */
import {
  makeProblem, initialCondition, solve, analyzeSetup, alignmentGrowthRate, escapeSweep,
  type Trajectory, type SetupAnalysis, type InitialCondition, type EscapeFit, type EscapePoint,
} from '../src/index.js';
import { simulateEnsembleOnPool } from '../src/io/ensemblePool.js';
import { finiteNEscape, type FiniteNEscape } from '../src/analysis/finiteNEscape.js';
import { closestPoint, type ClosestPoint } from '../src/studies/closestSolution.js';
import { paperConfig, type Study, type PaperConfig as Config } from './configs.js';
import { measureProtocols, type ProtocolMeasurements } from './protocols.js';

export interface Regime {
  /** 'gradient flow (η → 0)' or 'η = 0.25'. */
  readonly label: string;
  readonly gradientFlow: boolean;
  /** The η solved at; gradient flow is solved at the config's η (its t-trajectory does not depend on it). */
  readonly eta: number;
}

export const gradientFlowLabel = 'gradient flow (η → 0)';
export const etaLabel = (eta: number) => `η = ${eta}`;

/** Gradient flow first, then the finite η from small to large (the config's η among them). */
export function regimes(configEta: number, etas: readonly number[]): Regime[] {
  const finite = [...new Set([...etas, configEta])].sort((a, b) => a - b);
  return [{ label: gradientFlowLabel, gradientFlow: true, eta: configEta }, ...finite.map((eta) => ({ label: etaLabel(eta), gradientFlow: false, eta }))];
}

/** The config moved to a regime: η set, α_max scaled so that t = ηα/p reaches as far. */
function inRegime(c: Config, r: Regime, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...overrides, eta: r.eta, alphaMax: (c.alphaMax * c.eta) / r.eta };
}

export interface OdeRun {
  readonly regime: Regime;
  readonly p: number;
  readonly trajectory: Trajectory;
  readonly analysis: SetupAnalysis;
  /** Rescaled time per unit α: t = α·η/p. */
  readonly tPerAlpha: number;
  /** Growth rate of ‖M‖ per unit t while ‖M‖ is 10⁻³ to 10⁻² of its final value (src/analysis/plateau.ts). */
  readonly growthRate: number;
  /** Loss decay rate per unit t right after the escape (½ to 1/20 of the plateau level). */
  readonly decayRate: number;
  /** ‖M₀‖_F and the initial alignment ‖M₀‖_F/√(tr Q₀ tr P) of the drawn weights. */
  readonly m0: number;
  readonly alignment0: number;
}

function odeRun(c: Config, regime: Regime, initial: InitialCondition): OdeRun {
  const trajectory = solve(makeProblem(c), initial, { method: regime.gradientFlow ? 'gradientFlow' : 'ode' });
  const analysis = analyzeSetup({ eta: c.eta, noise: c.noise, weightDecay: c.weightDecay, initial: initial.overlaps, trajectory, trajectoryIsGradientFlow: regime.gradientFlow });
  const tPerAlpha = c.eta / c.p;
  const g = alignmentGrowthRate(trajectory);
  const { Q, M, P, p, pStar } = initial.overlaps;
  let trQ = 0, trP = 0;
  for (let k = 0; k < p; k++) trQ += Q[k * p + k];
  for (let k = 0; k < pStar; k++) trP += P[k * pStar + k];
  const m0 = Math.hypot(...M);
  return {
    regime, p: c.p, trajectory, analysis, tPerAlpha,
    growthRate: g ? g.rate / tPerAlpha : NaN,
    decayRate: analysis.escapeDecay ? analysis.escapeDecay.rate / tPerAlpha : NaN,
    m0, alignment0: m0 / Math.sqrt(trQ * trP),
  };
}

export interface VarianceSweep {
  readonly regime: Regime;
  readonly points: EscapePoint[];
  readonly fits: EscapeFit[];
}

export interface SgdRuns {
  readonly N: number;
  readonly config: Config;
  readonly initial: InitialCondition;
  /** One trajectory per seed: runs r = 0, 1, … of the ensemble, streams (seed, r). */
  readonly runs: Trajectory[];
}

export interface HessianSetup {
  readonly p: number;
  readonly pStar: number;
  readonly analysis: SetupAnalysis;
}

export interface Measurements {
  readonly study: Study;
  /** The width study (paper/overparameterisation.json at each p), every regime. */
  readonly widths: { readonly config: Config; readonly regimes: Regime[]; readonly runs: OdeRun[] };
  readonly sweeps: VarianceSweep[];
  /** Wide students (study.wideWidths × study.wideVariances), in gradient flow and at the config's η. */
  readonly wide: VarianceSweep[];
  /** paper/headline.json: the ODE in every regime, SGD for each N of the study. */
  readonly headline: { readonly config: Config; readonly initial: InitialCondition; readonly regimes: Regime[]; readonly ode: OdeRun[]; readonly sgd: SgdRuns[] };
  readonly hessian: HessianSetup[];
  readonly phaseRetrieval: OdeRun;
  /** The training-protocol studies (paper/protocols.ts): batch sizes and learning-rate schedules. */
  readonly protocols: ProtocolMeasurements;
  /** Beyond the paper: SDE exit times against ln N, and the closest-solution probability at three points (FINITE_N_POINTS). */
  readonly finiteN: { readonly escape: FiniteNEscape; readonly closest: readonly ClosestPoint[] };
}

/**
 * The closest-solution points (η, σ², N, and whether the run uses the other streams): the first
 * two have the same η and σ², N 10² and 10⁴ times apart (independent streams, so that their
 * agreement is a test), the third the same η/σ as the first at 10 times its η.
 */
export const FINITE_N_POINTS: readonly { readonly eta: number; readonly variance: number; readonly N: number; readonly otherStreams: boolean }[] = [
  { eta: 0.05, variance: 1e-3, N: 1e3, otherStreams: false },
  { eta: 0.05, variance: 1e-5, N: 1e7, otherStreams: true },
  { eta: 0.5, variance: 1e-1, N: 1e3, otherStreams: false },
];

/** "Near" the closest solution: within this fraction of the typical distance (src/studies/closestSolution.ts). */
export const CLOSEST_THRESHOLD = 0.25;

export type Progress = (label: string, fraction: number) => void;

/**
 * Runs the whole study. `progress` hears a label and the fraction of that part done. The SGD
 * seeds of each N run on worker threads (one per core): run r is the same trajectory in any
 * thread (solve with runs: [r], src/solve.ts).
 */
export async function measure(study: Study, progress: Progress = () => {}): Promise<Measurements> {
  // Widths: each p in each regime.
  const over = paperConfig('overparameterisation.json', { savePoints: study.savePoints });
  const widthRegimes = regimes(over.eta, study.etas);
  const runs: OdeRun[] = [];
  const total = widthRegimes.length * study.widths.length;
  for (const regime of widthRegimes) {
    for (const p of study.widths) {
      progress('ODE for each width p and η', runs.length / total);
      const c = paperConfig('overparameterisation.json', inRegime(over, regime, { p, savePoints: study.savePoints }));
      runs.push(odeRun(c, regime, initialCondition(c)));
    }
  }

  /** One escape sweep (widths × σ²) of the width study's config per regime. */
  const varianceSweeps = (rs: readonly Regime[], ps: readonly number[], variances: readonly number[], label: string): VarianceSweep[] => rs.map((regime, k) => {
    const c = paperConfig('overparameterisation.json', inRegime(over, regime, { p: ps[0] }));
    const s = escapeSweep(c, { ps, variances, gradientFlow: regime.gradientFlow, onProgress: (f) => progress(label, (k + f) / rs.length) });
    return { regime, ...s };
  });
  // The escape law: one σ² sweep per regime.
  const sweeps = varianceSweeps(widthRegimes, study.widths, study.variances, 'escape time against σ²');
  // Wide students (issue 17): the same sweep out to p = 64 at two σ², in gradient flow and at the config's η.
  const wide = varianceSweeps(widthRegimes.filter((r) => r.gradientFlow || r.eta === over.eta), study.wideWidths, study.wideVariances, 'escape time of wide students');

  // Headline: ODE in each regime from the weights drawn at the config's N; SGD per N.
  const head = paperConfig('headline.json');
  const headInitial = initialCondition(head);
  const headRegimes = regimes(head.eta, study.etas);
  const ode = headRegimes.map((regime, k) => {
    progress('ODE, headline setup', k / headRegimes.length);
    return odeRun(paperConfig('headline.json', inRegime(head, regime)), regime, headInitial);
  });
  const sgd: SgdRuns[] = [];
  for (const N of study.sgdNs) {
    const config = paperConfig('headline.json', { N, runs: study.sgdSeeds });
    const initial = initialCondition(config);
    const label = `SGD, N = ${N}, ${study.sgdSeeds} seeds`;
    const e = await simulateEnsembleOnPool(makeProblem(config), initial, { onProgress: (f) => progress(label, f) });
    sgd.push({ N, config, initial, runs: e.runs });
  }

  // Hessians: the headline's width and the study's others, at the headline's saddle and solution.
  progress('Hessian spectra and phase retrieval', 0);
  const headGf = ode.find((r) => r.regime.gradientFlow)!;
  const hessian: HessianSetup[] = [{ p: head.p, pStar: head.pStar, analysis: headGf.analysis }];
  for (const p of study.hessianWidths.filter((q) => q !== head.p)) {
    const c = paperConfig('headline.json', { p });
    const initial = initialCondition(c);
    hessian.push({ p, pStar: c.pStar, analysis: odeRun(c, headRegimes[0], initial).analysis });
  }

  const pr = paperConfig('phase-retrieval.json');
  const phaseRetrieval = odeRun(pr, { label: etaLabel(pr.eta), gradientFlow: false, eta: pr.eta }, initialCondition(pr));

  // Beyond the paper (SDE, cost independent of N): exit times against ln N, closest-solution probability.
  progress('finite N: SDE exit times and closest solution', 0);
  // α ≤ 60: the SDE escapes by α ≈ 47 ± 1.5 at N = 10⁹ (README), the largest N of the study.
  const escape = finiteNEscape(paperConfig('headline.json', { runs: study.finiteN.escapeRuns, alphaMax: 60 }), { Ns: study.finiteN.escapeNs, etas: [head.eta] });
  const closest = FINITE_N_POINTS.map((q, k) => {
    progress('finite N: SDE exit times and closest solution', (k + 1) / (FINITE_N_POINTS.length + 1));
    const c = paperConfig('headline.json', { runs: study.finiteN.closestRuns, ...(q.otherStreams ? { seed: head.seed + 1, init: { ...head.init, seed: (head.init as { seed: number }).seed + 1 } } : {}) });
    return closestPoint(c, q.N, q.eta, q.variance, CLOSEST_THRESHOLD);
  });
  progress('batch-size and schedule studies', 0);
  const protocols = measureProtocols();
  return { protocols, study, widths: { config: over, regimes: widthRegimes, runs }, sweeps, wide, headline: { config: head, initial: headInitial, regimes: headRegimes, ode, sgd }, hessian, phaseRetrieval, finiteN: { escape, closest } };
}
