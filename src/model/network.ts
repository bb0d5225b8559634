/**
 * The architecture around the overlaps: student and teacher activations and second-layer
 * (readout) weights. ŷ = Σ_k v_k σ(λ_k), y = Σ_j v*_j σ*(ν_j). The "mean" readout of the quadratic
 * paper is v = 1/p, v* = 1/p*; the Saad–Solla committee is v = v* = 1 ("sum").
 */
import type { Activation } from '../gauss/expectations.js';

export interface Network {
  readonly student: Activation;
  readonly teacher: Activation;
  /** Student second-layer weights v_k, length p. */
  readonly v: Float64Array;
  /** Teacher second-layer weights v*_j, length p*. */
  readonly vStar: Float64Array;
}

export type Readout = 'mean' | 'sum';

export function makeNetwork(p: number, pStar: number, student: Activation, teacher: Activation = student, readout: Readout = 'mean', teacherWeights?: readonly number[], studentWeights?: readonly number[]): Network {
  const v = studentWeights ? Float64Array.from(studentWeights) : new Float64Array(p).fill(readout === 'mean' ? 1 / p : 1);
  const vStar = teacherWeights ? Float64Array.from(teacherWeights) : new Float64Array(pStar).fill(readout === 'mean' ? 1 / pStar : 1);
  return { student, teacher, v, vStar };
}

/** True for the quadratic paper's network: σ = σ* = z², v = 1/p, v* = 1/p*. */
export function isMeanQuadratic(net: Network): boolean {
  const p = net.v.length, pStar = net.vStar.length;
  return net.student.name === 'square' && net.teacher.name === 'square' &&
    net.v.every((x) => x === 1 / p) && net.vStar.every((x) => x === 1 / pStar);
}
