/**
 * The quadratic network with uniform readouts, v_k = c/p, v*_j = c* / p* ("sum" is c = p,
 * c* = p*), untrained second layer, mapped exactly onto the mean-readout problem so that it runs on
 * the closed-form (Q⊥, M) path of quadratic.ts instead of the generic Wick sums of committee.ts.
 *
 * σ(z) = z² is homogeneous of degree 2, s·σ(ν) = σ(√s ν), so with a² = c* / c (needs c* / c > 0)
 *   y = c*·mean_j σ(ν_j) + √Δ ζ = c·[mean_j σ(a ν_j) + √(Δ/c²) ζ]:
 * a mean-readout teacher ν' = aν, i.e. P' = a²P, M' = aM, Q' = Q. The error is e = c·e' with e'
 * the mean-readout error of the rescaled problem with label noise Δ' = Δ/c². The step
 *   w_k ← w_k − η e (c/p) σ'(λ_k) x/√N − (ηλ/N) w_k = w_k − η' e' (1/p) σ'(λ_k) x/√N − (η'λ'/N) w_k
 * with η' = c²η and λ' = λ/c² is the mean-readout step, step for step (so the η² SGD-noise term,
 * η²v_kv_l E[e²σ'σ'] = η'²/p² E[e'²σ'σ'], maps too; no approximation anywhere). The loss is
 * ε = ½E[e²] = c²ε' (its noise part Δ/2 = c²Δ'/2), and so is its rounding floor.
 * Not for a trained second layer (v changes away from uniform) nor differing activations.
 */
import type { Network } from '../model/network.js';
import type { DynamicsParams, OverlapRhs } from './equations.js';

/** The readout scales (c, c*) when the network is square/square with uniform readouts that map, else null. */
export function uniformQuadraticScales(net: Network): { readonly c: number; readonly cStar: number } | null {
  if (net.student.name !== 'square' || net.teacher.name !== 'square') return null;
  const { v, vStar } = net;
  if (v.length === 0 || vStar.length === 0) return null;
  if (!v.every((x) => x === v[0]) || !vStar.every((x) => x === vStar[0])) return null;
  const c = v[0] * v.length, cStar = vStar[0] * vStar.length;
  // c* / c ≤ 0 (a teacher of the other sign, or none) has no real a: those stay on the generic path.
  return Number.isFinite(c) && Number.isFinite(cStar) && c !== 0 && cStar / c > 0 ? { c, cStar } : null;
}

/** The mean-readout problem equivalent to one with readout scales (c, c*), and the factors back. */
export interface MeanEquivalent {
  readonly params: DynamicsParams;
  /** Teacher rescaling a = √(c* / c): M' = aM, P' = a²P. */
  readonly a: number;
  /** ε = lossScale·ε' (c²). */
  readonly lossScale: number;
}

export function meanEquivalent(params: DynamicsParams, c: number, cStar: number): MeanEquivalent {
  const a = Math.sqrt(cStar / c), c2 = c * c;
  const P = Float64Array.from(params.P, (x) => a * a * x);
  return {
    params: {
      ...params, P, eta: c2 * params.eta, noise: params.noise / c2, ...(params.weightDecay !== undefined ? { weightDecay: params.weightDecay / c2 } : {}),
      ...(params.etaAt ? { etaAt: (alpha: number) => c2 * params.etaAt!(alpha) } : {}),
    },
    a,
    lossScale: c2,
  };
}

/** Scales the M block of a (Q, M) state in place: M ← s·M. */
export function scaleM(y: Float64Array, p: number, pStar: number, s: number): Float64Array {
  for (let i = p * p; i < p * p + p * pStar; i++) y[i] *= s;
  return y;
}

/** The (Q, M) right-hand side of the original problem from the mean-equivalent one's: dM = dM'/a. */
export function mappedRhs(meanRhs: OverlapRhs, p: number, pStar: number, a: number): OverlapRhs {
  const yMapped = new Float64Array(p * p + p * pStar);
  return (y, dy, alpha) => {
    yMapped.set(y.subarray(0, yMapped.length));
    scaleM(yMapped, p, pStar, a);
    meanRhs(yMapped, dy, alpha);
    scaleM(dy, p, pStar, 1 / a);
  };
}
