/**
 * The analyses of one run, and the one policy of which apply (`analysisPlan`, used by the CLI's
 * `analyze` and the explorer's worker alike): the loss-curve analyses (plateaus, escape, decay
 * rates) apply to every network; the quadratic paper's (the conserved quantity's drift, the
 * implicit bias, the Hessian spectra at the symmetric saddle and on the zero-loss manifold, the
 * saddle's theory) to the quadratic network with fixed mean readouts only, and then an ODE run
 * is compared with gradient flow from the same start. Plain data in, plain data out.
 */
import { timeAt } from '../model/time.js';
import type { Overlaps } from '../model/overlaps.js';
import type { Trajectory } from '../model/trajectory.js';
import { analyzeLossCurve, type ExponentialFit, type Plateau, type TailFit, type LossCurveAnalysis } from './plateau.js';
import { conservedDrift } from './conserved.js';
import { implicitBias, closestSolution, type ImplicitBias } from './implicitBias.js';
import { hessianSpectrum, symmetricSaddle, solutionOverlaps, expectedSolutionZeroModes, hessianTrajectory, type HessianSpectrum, type HessianParts } from './hessian.js';
import { normGrowthRate, alignmentRate, sgdSaddle, predictEscape, tailTheory, type TailTheory } from './theory.js';
import { quadraticPopulationLoss } from '../ode/quadratic.js';
import { analysisRates } from '../ode/protocol.js';
import { symmetricEigen } from '../linalg/matrix.js';
import { isMeanQuadratic } from '../model/network.js';
import type { Problem } from '../model/problem.js';

export interface SetupAnalysis {
  readonly solver: Trajectory['solver'];
  readonly status: Trajectory['status'];
  readonly plateau: Plateau | null;
  readonly plateaus: Plateau[];
  readonly escapeAlpha: number | null;
  /** Escape in the rescaled time t = ηα/p (each unit's gradient carries 1/p); with a batch size n_b and a schedule, t = ∫₀^α η(s)/n_b ds / p. */
  readonly escapeTime: number | null;
  readonly escapeDecay: ExponentialFit | null;
  /** The approach to zero loss, fitted with the law the theory gives (power for p > p*, else exponential). */
  readonly finalDecay: TailFit | null;
  readonly finalLoss: number;
  readonly conserved: {
    /** Largest relative change of J along this trajectory. */
    readonly maxDrift: number;
    /** The same along gradient flow (η² term dropped) from the same start; ODE analyses only. */
    readonly gradientFlowMaxDrift: number | null;
    readonly evaluatedUpTo: number;
    readonly initial: number[];
  };
  readonly implicitBias: ImplicitBias | null;
  /** The Hessian analyses; null when skipped for size (`hessianSkipped` says why: see HESSIAN_MAX_SIDES). */
  readonly hessian: {
    /** At the symmetric saddle Q = q I, M = 0 (symmetricSaddle). */
    readonly saddle: HessianSpectrum;
    /** @deprecated The same spectrum as `saddle` under its old name (it is the saddle, not the loss plateau); in the JSON for one release. */
    readonly plateau: HessianSpectrum;
    readonly solution: HessianSpectrum | null;
    readonly expectedSolutionZeroModes: { manifold: number; secondOrderFlat: number } | null;
    /**
     * The Hessian along the run (hessian.ts, hessianParts): at each saved α the reduced Hessian's
     * eigenvalues, its Gauss–Newton and residual parts, and the outside block. Off the fixed points
     * the residual part (~√ε) gives small negative eigenvalues next to the manifold of marginal minima.
     */
    readonly trajectory: { readonly alpha: number[] } & { readonly [K in keyof HessianParts]: HessianParts[K][] };
  } | null;
  /** Why `hessian` is null (a student too wide for dense n×n eigenproblems), else null. */
  readonly hessianSkipped: string | null;
  readonly theory: {
    /** Loss at the symmetric saddle Q = p (tr P/p* − λp/2)/(p+2)·I, M = 0 (gradient-flow fixed point with weight decay λ). */
    readonly saddleLoss: number;
    /** That saddle's overlaps: Q = q I, M = 0. */
    readonly saddle: { readonly q: number };
    /** Growth rate of M at that saddle in gradient flow: 4η λ_max(P)/(p p*). */
    readonly saddleEscapeRate: number;
    /** The saddle of SGD at this η (η² term included; theory.ts item 2): Q = q I, M = 0, and its loss; null when there is none. */
    readonly sgdSaddle: { readonly q: number; readonly loss: number } | null;
    /** Growth rate of tr Q per unit α leaving W ≈ 0: (4η/p) tr P/p* + (8η²/p²) ε₀. */
    readonly normGrowthRate: number | null;
    /** Growth rate of ‖M‖ per unit α leaving the SGD saddle: 4ηλ_max(P)/(p p*) − 2η² F(q_s)/(p² q_s). */
    readonly alignmentRate: number | null;
    /** α at which the loss falls below half the measured reference level, predicted from the initial overlaps (theory.ts item 4). */
    readonly escapeAlpha: number | null;
    /** 'direct' (M escapes while the norm is still being learned) or 'saddle' (the norm first). */
    readonly escapeRoute: 'direct' | 'saddle' | null;
    /** The approach to zero loss (theory.ts item 5): p = p* exponential with its rate, p > p* ε ≈ A α^{−k}. */
    readonly tail: TailTheory | null;
    /** What is not derived for this setup, if anything. */
    readonly notDerived: string[];
  };
  readonly specialCase: string | null;
}

/**
 * Whether the quadratic network's own analyses (conserved quantity, implicit bias, Hessian, the
 * saddle's theory) apply: they are derived for σ = z² with the fixed mean readouts v = 1/p,
 * v* = 1/p*. A trained second layer moves v away from 1/p, so they do not apply then either.
 */
export function quadraticAnalysesApply(problem: Pick<Problem, 'network' | 'secondLayerRate'>): boolean {
  return isMeanQuadratic(problem.network) && problem.secondLayerRate === undefined;
}

/**
 * Largest side n = p(p + p*) of the reduced Hessian for which `analyze` computes the Hessian
 * analyses: they are dense n×n symmetric eigenproblems (ml-matrix, ≈ 6·10⁻⁹ n³ s of CPU each,
 * measured at n = 400–624) and 26 of them at least (12 points along the run, two each, the saddle
 * and the solution), so n = 700 (p = 25 at p* = 2) takes about a minute, n = 1088 (p = 32) four,
 * p = 64 hours, and p = 256 would need 35 GB a matrix. Above it they are skipped and said to be.
 */
export const HESSIAN_MAX_SIDES = 700;

/** Why the Hessian analyses are skipped at widths p, p*; null when they are computed (HESSIAN_MAX_SIDES). */
export function hessianSkipReason(p: number, pStar: number): string | null {
  const n = p * (p + pStar);
  return n > HESSIAN_MAX_SIDES
    ? `Hessian spectra skipped: p(p + p*) = ${n} sides, above ${HESSIAN_MAX_SIDES} (dense n×n eigenproblems, ≈ 6·10⁻⁹ n³ s each, ${26 * 6e-9 * n * n * n < 3600 ? `${Math.ceil((26 * 6e-9 * n * n * n) / 60)} minutes` : `${Math.ceil((26 * 6e-9 * n * n * n) / 3600)} hours`} for the 26 of them here${n * n * 8 > 2 ** 31 ? `, ${((n * n * 8) / 2 ** 30).toPrecision(2)} GiB a matrix` : ''})`
    : null;
}

/** The Hessian analyses of a run that has them (a narrow student); throws (an engine bug) when they were skipped. */
export function hessianOf(a: Pick<SetupAnalysis, 'hessian' | 'hessianSkipped'>): NonNullable<SetupAnalysis['hessian']> {
  if (!a.hessian) throw new Error(a.hessianSkipped ?? 'no Hessian analyses');
  return a.hessian;
}

/** Why the quadratic network's analyses are not reported, when they are not. */
export const QUADRATIC_ONLY = 'conserved quantity, implicit bias and Hessian are derived for the quadratic network (activation "square", readout "mean", second layer fixed) only';

/** Which analyses apply to a run of a problem, and why not. */
export interface AnalysisPlan {
  /** The quadratic network's analyses (quadraticAnalysesApply); the loss-curve ones always apply. */
  readonly quadratic: boolean;
  /** Why the quadratic analyses do not apply; null when they do. */
  readonly notApplicable: string | null;
  /**
   * Solve gradient flow from the same start as well: the conserved quantity's reference drift
   * (J is conserved by gradient flow, and the η² SGD-noise term breaks it), for ODE runs whose
   * quadratic analyses apply.
   */
  readonly gradientFlow: boolean;
}

export function analysisPlan(problem: Pick<Problem, 'network' | 'secondLayerRate'>, solver: Trajectory['solver']): AnalysisPlan {
  const quadratic = quadraticAnalysesApply(problem);
  return { quadratic, notApplicable: quadratic ? null : QUADRATIC_ONLY, gradientFlow: quadratic && solver === 'ode' };
}

/** What a run of a network other than the quadratic one is analysed for: its loss curve. */
export interface LossCurveOnlyAnalysis extends LossCurveAnalysis {
  readonly solver: Trajectory['solver'];
  readonly status: Trajectory['status'];
  readonly finalLoss: number;
  readonly conserved: null;
  readonly implicitBias: null;
  readonly hessian: null;
  /** Why the other analyses are absent (QUADRATIC_ONLY). */
  readonly note: string;
}

/** A run's analyses, as the plan allows, with the relative drift of J along the run (NaN where undefined) for the figures. */
export type RunAnalysis =
  | { readonly quadratic: true; readonly result: SetupAnalysis; readonly drift: Float64Array; readonly gradientFlowDrift: Float64Array | null }
  | { readonly quadratic: false; readonly result: LossCurveOnlyAnalysis; readonly drift: null; readonly gradientFlowDrift: null };

/**
 * Analyses a run of `problem` from `initial` by `analysisPlan`: `gradientFlow` is the companion
 * solve the plan asks for (solve(problem, initial, { method: 'gradientFlow' })), if any.
 */
export function analyzeRun(problem: Pick<Problem, 'network' | 'secondLayerRate' | 'eta' | 'etaSchedule' | 'batchSize' | 'noise' | 'weightDecay'>, initial: Overlaps, trajectory: Trajectory, gradientFlow?: Trajectory): RunAnalysis {
  const plan = analysisPlan(problem, trajectory.solver);
  if (!plan.quadratic) {
    const a = analyzeLossCurve(trajectory.alpha, trajectory.loss, { floor: problem.noise / 2 });
    return {
      quadratic: false, drift: null, gradientFlowDrift: null,
      result: {
        solver: trajectory.solver, status: trajectory.status, ...a, finalLoss: trajectory.loss[trajectory.loss.length - 1],
        conserved: null, implicitBias: null, hessian: null, note: plan.notApplicable!,
      },
    };
  }
  // η/n_b and, for a schedule, ∫η/n_b dα (src/ode/protocol.ts): the rates the analyses read.
  const r = setupAnalysis({ ...analysisRates(problem), noise: problem.noise, weightDecay: problem.weightDecay, initial, trajectory, gradientFlow });
  return { quadratic: true, ...r };
}

export interface AnalyzeInput {
  /** η_eff = η/n_b at α = 0 (src/ode/protocol.ts analysisRates). */
  readonly eta: number;
  /** ∫₀^α η_eff when η varies (a schedule); default η_eff·α. */
  readonly etaIntegral?: (alpha: number) => number;
  readonly noise: number;
  /** Weight decay λ: it moves the symmetric saddle (theory.saddleLoss); default 0. */
  readonly weightDecay?: number;
  readonly initial: Overlaps;
  readonly trajectory: Trajectory;
  /** Gradient-flow trajectory from the same start (for the conserved quantity), if computed. */
  readonly gradientFlow?: Trajectory;
  /** true when `trajectory` itself is gradient flow (the ODE without its η² term): the theory drops its η² terms too. */
  readonly trajectoryIsGradientFlow?: boolean;
}

/** The quadratic network's analyses of one run (see analyzeRun for the policy of when they apply). */
export function analyzeSetup(input: AnalyzeInput): SetupAnalysis {
  return setupAnalysis(input).result;
}

function setupAnalysis(input: AnalyzeInput): { result: SetupAnalysis; drift: Float64Array; gradientFlowDrift: Float64Array | null } {
  const { eta, noise, initial, trajectory: t } = input;
  const { p, pStar, P } = initial;
  const curve = analyzeLossCurve(t.alpha, t.loss, { floor: noise / 2, tailLaw: p > pStar ? 'power' : 'exponential' });
  const lambda = input.weightDecay ?? 0;
  const setup = { p, pStar, eta, noise, P, sgdNoise: !input.trajectoryIsGradientFlow };
  const notDerived: string[] = [];
  // Weight decay moves the saddle and the rates; only the gradient-flow saddle is derived with it.
  // The predictions take a constant η (η_eff = η/n_b: the batch ODE is the batch-1 ODE at η/n_b).
  const scheduled = input.etaIntegral !== undefined;
  const derived = lambda === 0 && !scheduled;
  if (lambda > 0) notDerived.push('norm growth, alignment rate, escape time and tail with weight decay');
  if (scheduled) notDerived.push('escape time and tail with a learning-rate schedule');
  const escape = derived ? predictEscape(setup, initial, curve.referenceLoss / 2) : null;
  if (derived && escape === null) notDerived.push('escape time (no SGD saddle at this η, or no alignment to grow)');
  const tail = derived ? tailTheory(setup) : null;
  if (derived && tail === null) notDerived.push(p < pStar ? 'tail (p < p*: no zero-loss point)' : 'tail with label noise (the loss tends to an SGD-noise floor)');
  const hessianSkipped = hessianSkipReason(p, pStar);
  const ht = hessianSkipped ? null : hessianTrajectory(t);
  const drift = conservedDrift(t, eta, input.etaIntegral);
  const last = t.alpha.length - 1;
  const final: Overlaps = { p, pStar, Q: t.Q[last], M: t.M[last], P };
  const saddle = symmetricSaddle(p, pStar, P);
  const R = p >= pStar ? closestSolution(initial) : null;
  const lambdaMaxP = symmetricEigen(P, pStar).values[pStar - 1];
  const saddleSpectrum = hessianSkipped ? null : hessianSpectrum(saddle);
  const gradientFlowDrift = input.gradientFlow ? conservedDrift(input.gradientFlow, eta, input.etaIntegral) : null;
  const result: SetupAnalysis = {
    solver: t.solver,
    status: t.status,
    plateau: curve.plateau,
    plateaus: curve.plateaus,
    escapeAlpha: curve.escapeAlpha,
    // These analyses are of the mean readout (quadraticAnalysesApply): t = ηα/p (src/model/time.ts),
    // with η/n_b, and ∫η(α)/n_b dα for a schedule (src/ode/protocol.ts).
    escapeTime: curve.escapeAlpha === null ? null : input.etaIntegral ? input.etaIntegral(curve.escapeAlpha) / p : timeAt({ eta, p, readout: 'mean' }, curve.escapeAlpha),
    escapeDecay: curve.escapeDecay,
    finalDecay: curve.finalDecay,
    finalLoss: t.loss[last],
    conserved: {
      maxDrift: drift.maxDrift,
      gradientFlowMaxDrift: gradientFlowDrift ? gradientFlowDrift.maxDrift : null,
      evaluatedUpTo: drift.evaluatedUpTo,
      initial: drift.initial,
    },
    implicitBias: implicitBias(initial, final),
    hessian: !ht || !saddleSpectrum ? null : {
      saddle: saddleSpectrum,
      plateau: saddleSpectrum,
      solution: R ? hessianSpectrum(solutionOverlaps(R, P, p, pStar)) : null,
      expectedSolutionZeroModes: p >= pStar ? expectedSolutionZeroModes(p, pStar) : null,
      trajectory: {
        alpha: ht.alpha,
        hessian: ht.parts.map((h) => h.hessian),
        gaussNewton: ht.parts.map((h) => h.gaussNewton),
        residual: ht.parts.map((h) => h.residual),
        outside: ht.parts.map((h) => h.outside),
        outsideGaussNewton: ht.parts.map((h) => h.outsideGaussNewton),
        outsideResidual: ht.parts.map((h) => h.outsideResidual),
      },
    },
    hessianSkipped,
    // The saddle of the dynamics moves with weight decay; the Hessian above stays that of ε at its λ = 0 saddle.
    theory: {
      saddleLoss: quadraticPopulationLoss(symmetricSaddle(p, pStar, P, lambda), noise),
      saddle: { q: symmetricSaddle(p, pStar, P, lambda).Q[0] },
      saddleEscapeRate: (4 * eta * lambdaMaxP) / (p * pStar),
      sgdSaddle: lambda > 0 ? null : sgdSaddle(setup),
      normGrowthRate: lambda > 0 ? null : normGrowthRate(setup),
      alignmentRate: lambda > 0 ? null : alignmentRate(setup),
      escapeAlpha: escape?.alpha ?? null,
      escapeRoute: escape?.route ?? null,
      tail,
      notDerived,
    },
    specialCase: p === 1 && pStar === 1
      ? 'phase retrieval (p = p* = 1): the zero-loss set is the two points w = ±w* (no continuous manifold); ' +
        'the saddle Q = P/3, M = 0 has loss P²·4/3 (one negative Hessian direction, towards ±w*) and is left at rate 4η P'
      : null,
  };
  return { result, drift: drift.drift, gradientFlowDrift: gradientFlowDrift ? gradientFlowDrift.drift : null };
}
