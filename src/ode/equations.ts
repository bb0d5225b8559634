/**
 * The overlap ODEs of one-pass SGD for a committee machine with readout weights v, v*
 * ŷ = Σ_k v_k σ(λ_k), y = Σ_j v*_j σ*(ν_j) + √Δ ζ, step w_k ← w_k − η e v_k σ'(λ_k) x/√N (the
 * mean readout v = 1/p of the quadratic paper gives its step w_k ← w_k − η e σ'(λ_k) x/(p√N)):
 *
 *   dM_kj/dα = −η v_k E[e σ'(λ_k) ν_j]
 *   dQ_kl/dα = −η E[e (v_k σ'(λ_k) λ_l + v_l σ'(λ_l) λ_k)] + η² v_k v_l E[e² σ'(λ_k) σ'(λ_l)]
 *
 * (the η² term is the SGD noise: |x|²/N → 1). State layout of the generic right-hand sides
 * (committee.ts, quadratic.ts): y = [Q (p×p, row-major), M (p×p*, row-major)], then v (p) when
 * the second layer is trained; P is a parameter. (The quadratic and single-ReLU solves integrate
 * (Q⊥, M) instead, with their own packing: quadratic.ts, reluSingle.ts.)
 */
import type { Overlaps } from '../model/overlaps.js';

/** What an overlap right-hand side needs besides the state. */
export interface DynamicsParams {
  readonly p: number;
  readonly pStar: number;
  /** Learning rate η. */
  readonly eta: number;
  /** Label-noise variance Δ. */
  readonly noise: number;
  /** Teacher–teacher overlap, p*×p*. */
  readonly P: Float64Array;
  /**
   * Include the O(η²) SGD-noise term (default true). Without it the equations are gradient flow
   * on the population loss (the η → 0 limit at fixed ηα), in the same time units.
   */
  readonly sgdNoise?: boolean;
  /** Weight decay λ: each step w ← w − (ηλ/N) w, so dQ/dα gains −2ηλQ and dM/dα gains −ηλM. */
  readonly weightDecay?: number;
  /**
   * Learning rate η_v of a trainable student second layer (Goldt et al. 2019): each step
   * v_k ← v_k − (η_v/N) e σ(λ_k), so dv_k/dα = −η_v E[e σ(λ_k)]. When set, v is part of the
   * state, after Q and M.
   */
  readonly secondLayerRate?: number;
  /**
   * A learning rate that changes with α (a power-law schedule, src/ode/protocol.ts): when set,
   * the right-hand side at time α uses etaAt(α) in place of `eta` (and secondLayerRateAt(α) in
   * place of `secondLayerRate`), α being the third argument of OverlapRhs (0 when omitted).
   */
  readonly etaAt?: (alpha: number) => number;
  readonly secondLayerRateAt?: (alpha: number) => number;
}

/**
 * dy/dα = f(y, α), written into `dy`; must not allocate (it is called millions of times). α
 * matters only for a time-dependent learning rate (DynamicsParams.etaAt).
 */
export type OverlapRhs = (y: Float64Array, dy: Float64Array, alpha?: number) => void;

export function stateSize(p: number, pStar: number, secondLayer = false): number {
  return p * p + p * pStar + (secondLayer ? p : 0);
}

/** Flat ODE state from overlaps (and the student second layer v, when it is trained). */
export function packState(o: Overlaps, v?: Float64Array): Float64Array {
  const y = new Float64Array(stateSize(o.p, o.pStar, v !== undefined));
  y.set(o.Q, 0);
  y.set(o.M, o.p * o.p);
  if (v) y.set(v, o.p * o.p + o.p * o.pStar);
  return y;
}
