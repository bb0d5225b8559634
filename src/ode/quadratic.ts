/**
 * Closed-form overlap ODEs for σ(z) = z² (reference: shared/reference/quadratic.md, derived
 * again here). With z = (λ, ν) ~ N(0, C), C = [[Q, M], [Mᵀ, P]], the noiseless error is the
 * quadratic form e = zᵀAz, A = diag(I_p/p, −I_{p*} / p*), so every expectation is a Wick moment:
 *
 *   τ   = tr(AC) = tr Q/p − tr P/p*                         (mean error)
 *   CAC = [[G, H], [Hᵀ, ·]],  G = Q²/p − MMᵀ/p*,  H = QM/p − MP/p*
 *   E[e λ νᵀ]  = τ M + 2H
 *   E[e λ λᵀ]  = τ Q + 2G
 *   E[e² λ λᵀ] = (τ² + 2 tr(ACAC) + Δ) Q + 4τ G + 8 S,   S = (CACAC)_λλ = G Q/p − H Mᵀ/p*
 *     (third joint cumulant of Gaussian quadratic forms: E[q1 q2 q3] = t1t2t3
 *      + 2(t1 t23 + t2 t13 + t3 t12) + 8 t123, with A1 = A2 = A, A3 = (E_kl + E_lk)/2)
 *   tr(ACAC) = tr Q²/p² − 2 tr MMᵀ/(p p*) + tr P²/p*²
 *
 * and with σ'(z) = 2z the general equations (equations.ts) become
 *   dM/dα = −(2η/p) E[e λ νᵀ],   dQ/dα = −(4η/p) E[e λ λᵀ] + (4η²/p²) E[e² λ λᵀ].
 * Cost O(p²(p + p*)) per call, against O(p²(p + p*)²) Wick sums for the generic form.
 */
import type { DynamicsParams, OverlapRhs } from './equations.js';
import { trace, frobeniusDot } from '../model/matrix.js';
import type { Overlaps } from '../model/overlaps.js';

/** ε = ½ E[e²] = ½ [τ² + 2 tr(ACAC)] + Δ/2: mean² plus variance of the quadratic form. */
export function quadraticPopulationLoss(o: Overlaps, noise: number): number {
  const { p, pStar, Q, M, P } = o;
  const tau = trace(Q, p) / p - trace(P, pStar) / pStar;
  const trACAC = frobeniusDot(Q, Q) / (p * p) - (2 * frobeniusDot(M, M)) / (p * pStar) + frobeniusDot(P, P) / (pStar * pStar);
  return 0.5 * (tau * tau + 2 * trACAC) + noise / 2;
}

export function quadraticRhs(params: DynamicsParams): OverlapRhs {
  const { p, pStar, eta, noise, P } = params;
  const pp = p * p;
  const trP = trace(P, pStar);
  const trP2 = frobeniusDot(P, P);
  // Work buffers, allocated once per problem.
  const G = new Float64Array(pp), H = new Float64Array(p * pStar);
  const gf = (2 * eta) / p;
  const nq = params.sgdNoise === false ? 0 : (4 * eta * eta) / (p * p);
  const decay = eta * (params.weightDecay ?? 0);
  return (y, dy) => quadraticRhsInto(y, dy, p, pStar, P, G, H, trP, trP2, gf, nq, decay, noise);
}

/**
 * The right-hand side proper. A top-level function with its inputs as arguments, not a closure
 * over them: V8 specialises an optimised closure to the first context it saw, and each later
 * problem's closure then runs on slower generic code (measured 1.25 → 2.3 µs at p = 8).
 */
function quadraticRhsInto(
  y: Float64Array, dy: Float64Array, p: number, ps: number, P: Float64Array, G: Float64Array, H: Float64Array,
  trP: number, trP2: number, gf: number, nq: number, decay: number, noise: number,
): void {
  const pp = p * p;
  // Q = y[0, p²), M = y[p², p² + p p*), both row-major, read in place. Q, G, S and dQ/dα are
  // symmetric: each is computed on the upper triangle and mirrored, which also keeps Q exactly
  // symmetric along the integration. The right-hand side is the ODE solver's whole cost.
  const m0 = pp;
  let trQ = 0, trQ2 = 0, trMMt = 0;
  // G = Q²/p − MMᵀ/p*
  for (let i = 0; i < p; i++) {
    trQ += y[i * p + i];
    for (let j = i; j < p; j++) {
      let qq = 0, mm = 0;
      for (let l = 0; l < p; l++) qq += y[i * p + l] * y[j * p + l];
      for (let m = 0; m < ps; m++) mm += y[m0 + i * ps + m] * y[m0 + j * ps + m];
      G[i * p + j] = G[j * p + i] = qq / p - mm / ps;
      const q = y[i * p + j];
      trQ2 += i === j ? q * q : 2 * q * q;
      if (i === j) trMMt += mm;
    }
  }
  // H = QM/p − MP/p*
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < ps; j++) {
      let qm = 0, mp = 0;
      for (let l = 0; l < p; l++) qm += y[i * p + l] * y[m0 + l * ps + j];
      for (let m = 0; m < ps; m++) mp += y[m0 + i * ps + m] * P[m * ps + j];
      H[i * ps + j] = qm / p - mp / ps;
    }
  }
  const tau = trQ / p - trP / ps;
  const trACAC = trQ2 / pp - (2 * trMMt) / (p * ps) + trP2 / (ps * ps);
  const c0 = tau * tau + 2 * trACAC + noise;
  for (let i = 0; i < p; i++) {
    for (let j = i; j < p; j++) {
      // S = (CACAC)_λλ = GQ/p − HMᵀ/p*
      let gq = 0, hm = 0;
      for (let l = 0; l < p; l++) gq += G[i * p + l] * y[l * p + j];
      for (let m = 0; m < ps; m++) hm += H[i * ps + m] * y[m0 + j * ps + m];
      const S = gq / p - hm / ps;
      const q = y[i * p + j], g = G[i * p + j];
      const eLL = tau * q + 2 * g;
      const e2LL = c0 * q + 4 * tau * g + 8 * S;
      dy[i * p + j] = dy[j * p + i] = -2 * gf * eLL + nq * e2LL - 2 * decay * q;
    }
  }
  for (let i = 0; i < p * ps; i++) dy[m0 + i] = -gf * (tau * y[m0 + i] + 2 * H[i]) - decay * y[m0 + i];
}
