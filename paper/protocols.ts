/**
 * The training-protocol studies of the report (issue 15: mini-batches and learning-rate
 * schedules), measured on the ODE (N → ∞) of the headline setup at p = p* = 2 (P = I), where
 * both predictions below are derived in closed form. Everything here is cheap (≈ 1 s of ODEs).
 *
 * Theory, from the closed-form right-hand side (src/ode/quadratic.ts, σ(z) = z², mean readout)
 * with p = p*, P = I:
 *
 * 1. The stationary excess loss at a constant η with label noise Δ. On the teacher-aligned states
 *    Q = q I, M = m I (closed under the ODE by symmetry), dM/dα = −(2η/p) m (q − 1)(1 + 2/p), so
 *    q = 1 at a fixed point; with u = 1 − m² (the overlap Q⊥ = Q − MMᵀ = u I outside the teacher
 *    subspace), τ = 0, G = u I/p, H = 0, S = u I/p², tr(ACAC) = 2u/p and
 *      dQ/dα = −(8η/p²) u + (4η²/p²)(Δ + 4u/p + 8u/p²)   (the η² SGD-noise term pumps Δ into Q⊥),
 *    zero at u = ηΔ / (2 − 4η(p + 2)/p²). The excess loss ε − Δ/2 = tr(ACAC) = 2u/p is then
 *      ε∞(η) − Δ/2 = (ηΔ/p) / (1 − 2η(p + 2)/p²),                                   (T1)
 *    ∝ η as η → 0 (the leading term ηΔ tr P/(p p*), the small-η result η Δ tr H/4 of SGD linearised
 *    around a solution, H = E[∇f ∇fᵀ], tr H = 4 tr P/(p p*)). It is approached at the rate
 *    k(η) = (8η/p²)(1 − 2η(p + 2)/p²) per unit α, and exists for η < p²/(2(p + 2)).
 * 2. The stability limit at batch size 1, p = 2. On the norm-learning states M = 0, Q = q I,
 *      dq/dα = −2ηq(2q − 1) + η² q (6q² − 4q + 2),
 *    whose fixed points 3ηq² − 2(1 + η)q + (1 + η) = 0 are real only for (1 + η)(1 − 2η) ≥ 0:
 *    above η = 1/2 nothing stops the norm from growing from a small initialisation, and by (T1)
 *    the teacher fixed point loses stability at the same η = p²/(2(p + 2)) = 1/2. The batch ODE
 *    runs at η/n_b (src/ode/protocol.ts), so
 *      η_c(n_b) = n_b / 2.                                                              (T2)
 * 3. A slowly decaying η(α) tracks (T1) at its current value while the relaxation is fast
 *    next to |d ln η/dα| (= β/(α0 + α) for a power law): the final excess of a power law is
 *    predicted as ε∞(η(α_max)) − Δ/2, from below (the excess lags behind a falling η).
 */
import type { Config } from '../src/index.js';
import { batchStudy, type BatchStudy } from '../src/studies/batch.js';
import { scheduleStudy, type ScheduleStudy } from '../src/studies/schedule.js';
import { solveOde, makeProblem, initialCondition, parseConfig } from '../src/index.js';
import { paperConfig } from './configs.js';

/** The setups: the headline config at p = p* = 2. */
export const PROTOCOLS = {
  /** Batch study: η = fraction·η_c(n_b); each bisection starts from n_b·eta (not at the predicted limit). */
  batch: { batchSizes: [1, 2, 4, 8, 16], fraction: 0.5, target: 1e-3, eta: 0.3, alphaMax: 60 },
  /** Schedule study: Δ, η0 (half the limit 1/2), the budget and the power laws' exponents. */
  schedule: { noise: 0.1, eta: 0.25, alphaMax: 200, exponents: [0.25, 0.5, 0.75, 1] },
  /** Constant η's whose plateau (T1) is measured from the teacher, run long enough (e^{−k α} < 10⁻⁹ at the smallest). */
  stationary: { etas: [0.0625, 0.125, 0.25], alphaMax: 200 },
} as const;

/** (T1): the stationary excess loss ε∞ − Δ/2 of a constant η, p = p*, P = I. */
export function stationaryExcess(eta: number, noise: number, p: number): number {
  return (eta * noise) / p / (1 - (2 * eta * (p + 2)) / (p * p));
}

/** (T1): the rate k(η) per unit α at which the excess relaxes to its stationary value. */
export function relaxationRate(eta: number, p: number): number {
  return ((8 * eta) / (p * p)) * (1 - (2 * eta * (p + 2)) / (p * p));
}

/** (T2): the stability limit of batch size n_b at p = p* = 2, P = I. */
export const predictedLimit = (batchSize: number): number => batchSize / 2;

export interface StationaryRun {
  readonly eta: number;
  /** ε(α_max) − Δ/2 of the constant-η ODE started at the teacher (Q = M = P = I). */
  readonly excess: number;
}

export interface ProtocolMeasurements {
  readonly batch: { readonly config: Config; readonly study: BatchStudy };
  readonly schedule: { readonly config: Config; readonly study: ScheduleStudy; readonly stationary: StationaryRun[] };
}

export function measureProtocols(): ProtocolMeasurements {
  const b = PROTOCOLS.batch, s = PROTOCOLS.schedule;
  const batchConfig = paperConfig('headline.json', { p: 2, eta: b.eta, alphaMax: b.alphaMax });
  const batch = batchStudy(batchConfig, { batchSizes: b.batchSizes, fraction: b.fraction, target: b.target });
  const scheduleConfig = paperConfig('headline.json', { p: 2, eta: s.eta, noise: s.noise, alphaMax: s.alphaMax });
  const schedule = scheduleStudy(scheduleConfig, { exponents: s.exponents });
  const I = [[1, 0], [0, 1]];
  const stationary = PROTOCOLS.stationary.etas.map((eta) => {
    const c = parseConfig({ ...scheduleConfig, eta, alphaMax: PROTOCOLS.stationary.alphaMax, savePoints: 20, init: { Q: I, M: I, P: I } });
    const t = solveOde(makeProblem(c), initialCondition(c).overlaps);
    return { eta, excess: t.status === 'completed' ? t.loss[t.loss.length - 1] - s.noise / 2 : NaN };
  });
  return { batch: { config: batchConfig, study: batch }, schedule: { config: scheduleConfig, study: schedule, stationary } };
}
