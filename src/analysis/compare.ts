/**
 * How far a finite-N trajectory is from the ODE prediction: the largest absolute and relative
 * deviation of the population loss over the saved α's they share.
 */
import type { Trajectory } from '../model/trajectory.js';

export interface LossDeviation {
  /** max_α |ε_sgd(α) − ε_ode(α)| */
  readonly maxAbs: number;
  /** α where maxAbs is reached. */
  readonly alphaAtMaxAbs: number;
  /** max_α |ε_sgd − ε_ode| / ε_ode */
  readonly maxRel: number;
  /** Number of α's compared. */
  readonly points: number;
}

/** Compares on the common prefix of save times; the α's must match (same save grid). */
export function lossDeviation(reference: Pick<Trajectory, 'alpha' | 'loss'>, other: Pick<Trajectory, 'alpha' | 'loss'>): LossDeviation {
  const n = Math.min(reference.alpha.length, other.alpha.length);
  let maxAbs = 0, maxRel = 0, alphaAtMaxAbs = 0;
  for (let i = 0; i < n; i++) {
    if (Math.abs(reference.alpha[i] - other.alpha[i]) > 1e-9 * Math.max(1, reference.alpha[i])) {
      throw new Error(`save times differ at index ${i}: α = ${reference.alpha[i]} vs ${other.alpha[i]}`);
    }
    const d = Math.abs(other.loss[i] - reference.loss[i]);
    if (d > maxAbs) { maxAbs = d; alphaAtMaxAbs = reference.alpha[i]; }
    if (reference.loss[i] > 0) maxRel = Math.max(maxRel, d / reference.loss[i]);
  }
  return { maxAbs, alphaAtMaxAbs, maxRel, points: n };
}
