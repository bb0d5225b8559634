/**
 * Integrates the overlap ODEs of a problem from given initial overlaps and returns a Trajectory.
 * Picks the closed-form right-hand side for the quadratic paper's network (square, mean
 * readout), else the generic sum of Gaussian expectations. A blow-up of the student norms stops the
 * run with a message saying where (and `divergedAt`) instead of NaNs.
 */
import type { Problem } from '../model/problem.js';
import type { Overlaps } from '../model/overlaps.js';
import type { Trajectory } from '../model/trajectory.js';
import type { DynamicsParams, OverlapRhs } from './equations.js';
import { packState } from './equations.js';
import { quadraticRhs } from './quadratic.js';
import { committeeRhs, committeePopulationLoss } from './committee.js';
import { integrate } from './dopri5.js';
import { divergenceCheck, divergenceMessage } from '../analysis/divergence.js';
import { isMeanQuadratic } from '../model/network.js';

export interface OdeOptions {
  /** Called with the fraction of the α range done. */
  readonly onProgress?: (fraction: number) => void;
  /** Save times; default the problem's grid. */
  readonly saveAt?: ArrayLike<number>;
  readonly rtol?: number;
  readonly atol?: number;
  /** false: drop the η² SGD-noise term (gradient flow on the population loss). Default true. */
  readonly sgdNoise?: boolean;
}

export function overlapRhs(problem: Pick<Problem, 'network' | 'p' | 'pStar' | 'eta' | 'noise' | 'weightDecay' | 'secondLayerRate'>, P: Float64Array, sgdNoise = true): OverlapRhs {
  const params: DynamicsParams = { p: problem.p, pStar: problem.pStar, eta: problem.eta, noise: problem.noise, P, sgdNoise, weightDecay: problem.weightDecay, secondLayerRate: problem.secondLayerRate };
  return isMeanQuadratic(problem.network) && problem.secondLayerRate === undefined ? quadraticRhs(params) : committeeRhs(params, problem.network);
}

export function solveOde(problem: Problem, initial: Overlaps, options: OdeOptions = {}): Trajectory {
  const { p, pStar } = problem;
  const pp = p * p;
  const rhs = overlapRhs(problem, initial.P, options.sgdNoise ?? true);
  const saveAt = options.saveAt ?? problem.saveAt;
  const tFinal = saveAt.length ? saveAt[saveAt.length - 1] : 0;
  const check = divergenceCheck(initial);
  const train = problem.secondLayerRate !== undefined;
  const result = integrate((_t, y, dy) => rhs(y, dy), packState(initial, train ? problem.network.v : undefined), {
    saveAt,
    rtol: options.rtol ?? problem.config.rtol,
    atol: options.atol ?? problem.config.atol,
    divergence: (t, y) => { const e = check(t, y.subarray(0, pp)); return e && divergenceMessage(e); },
    onStep: options.onProgress && tFinal > 0 ? (t) => options.onProgress!(t / tFinal) : undefined,
  });
  const offV = pp + p * pStar;
  const Q = result.y.map((y) => y.slice(0, pp));
  const M = result.y.map((y) => y.slice(pp, offV));
  const v = train ? result.y.map((y) => y.slice(offV)) : undefined;
  const loss = Float64Array.from(Q, (q, i) =>
    committeePopulationLoss({ p, pStar, Q: q, M: M[i], P: initial.P }, v ? { ...problem.network, v: v[i] } : problem.network, problem.noise));
  return {
    solver: 'ode', p, pStar, alpha: result.t, loss, Q, M, ...(v ? { v } : {}), P: initial.P,
    status: result.status, message: result.message, ...(result.status === 'diverged' ? { divergedAt: result.tEnd } : {}),
    stats: { acceptedSteps: result.acceptedSteps, rejectedSteps: result.rejectedSteps, rhsEvaluations: result.rhsEvaluations },
  };
}
