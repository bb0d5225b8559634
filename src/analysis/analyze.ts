/**
 * All of the paper's analyses for one setup and one trajectory (ODE or SGD): plateau and
 * escape, the conserved quantity's drift, the implicit bias, and the Hessian spectra at the
 * symmetric saddle and on the zero-loss manifold. Plain data in, plain data out.
 */
import { timeAt } from '../model/time.js';
import type { Overlaps } from '../model/overlaps.js';
import type { Trajectory } from '../model/trajectory.js';
import { analyzeLossCurve, type ExponentialFit, type Plateau } from './plateau.js';
import { conservedDrift } from './conserved.js';
import { implicitBias, closestSolution, type ImplicitBias } from './implicitBias.js';
import { hessianSpectrum, symmetricPlateau, solutionOverlaps, expectedSolutionZeroModes, type HessianSpectrum } from './hessian.js';
import { quadraticPopulationLoss } from '../ode/quadratic.js';
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
  readonly finalDecay: ExponentialFit | null;
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
  readonly hessian: {
    readonly plateau: HessianSpectrum;
    readonly solution: HessianSpectrum | null;
    readonly expectedSolutionZeroModes: { manifold: number; secondOrderFlat: number } | null;
  };
  readonly theory: {
    /** Loss at the symmetric saddle Q = p (tr P/p* − λp/2)/(p+2)·I, M = 0 (gradient-flow fixed point with weight decay λ). */
    readonly saddleLoss: number;
    /** Growth rate of M at that saddle in gradient flow: 4η λ_max(P)/(p p*). */
    readonly saddleEscapeRate: number;
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
}

export function analyzeSetup(input: AnalyzeInput): SetupAnalysis {
  const { eta, noise, initial, trajectory: t } = input;
  const { p, pStar, P } = initial;
  const curve = analyzeLossCurve(t.alpha, t.loss, { floor: noise / 2 });
  const drift = conservedDrift(t, eta, input.etaIntegral);
  const last = t.alpha.length - 1;
  const final: Overlaps = { p, pStar, Q: t.Q[last], M: t.M[last], P };
  const saddle = symmetricPlateau(p, pStar, P);
  const R = p >= pStar ? closestSolution(initial) : null;
  const lambdaMaxP = symmetricEigen(P, pStar).values[pStar - 1];
  return {
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
      gradientFlowMaxDrift: input.gradientFlow ? conservedDrift(input.gradientFlow, eta, input.etaIntegral).maxDrift : null,
      evaluatedUpTo: drift.evaluatedUpTo,
      initial: drift.initial,
    },
    implicitBias: implicitBias(initial, final),
    hessian: {
      plateau: hessianSpectrum(saddle),
      solution: R ? hessianSpectrum(solutionOverlaps(R, P, p, pStar)) : null,
      expectedSolutionZeroModes: p >= pStar ? expectedSolutionZeroModes(p, pStar) : null,
    },
    // The saddle of the dynamics moves with weight decay; the Hessian above stays that of ε at its λ = 0 saddle.
    theory: { saddleLoss: quadraticPopulationLoss(symmetricPlateau(p, pStar, P, input.weightDecay ?? 0), noise), saddleEscapeRate: (4 * eta * lambdaMaxP) / (p * pStar) },
    specialCase: p === 1 && pStar === 1
      ? 'phase retrieval (p = p* = 1): the zero-loss set is the two points w = ±w* (no continuous manifold); ' +
        'the saddle Q = P/3, M = 0 has loss P²·4/3 (one negative Hessian direction, towards ±w*) and is left at rate 4η P'
      : null,
  };
}
