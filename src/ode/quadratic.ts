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
import { matmul, matmulT, trace, frobeniusDot } from '../model/matrix.js';
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
  const QQ = new Float64Array(pp), MMt = new Float64Array(pp), G = new Float64Array(pp);
  const QM = new Float64Array(p * pStar), MP = new Float64Array(p * pStar), H = new Float64Array(p * pStar);
  const GQ = new Float64Array(pp), HMt = new Float64Array(pp);
  const gf = (2 * eta) / p;
  const nq = params.sgdNoise === false ? 0 : (4 * eta * eta) / (p * p);
  const decay = eta * (params.weightDecay ?? 0);
  return (y, dy) => {
    const Q = y.subarray(0, pp);
    const M = y.subarray(pp, pp + p * pStar);
    matmul(Q, Q, p, p, p, QQ);
    matmulT(M, M, p, pStar, p, MMt);
    matmul(Q, M, p, p, pStar, QM);
    matmul(M, P, p, pStar, pStar, MP);
    let trQ = 0, trQ2 = 0, trMMt = 0;
    for (let i = 0; i < p; i++) { trQ += Q[i * p + i]; trMMt += MMt[i * p + i]; }
    for (let i = 0; i < pp; i++) { G[i] = QQ[i] / p - MMt[i] / pStar; trQ2 += Q[i] * Q[i]; }
    for (let i = 0; i < p * pStar; i++) H[i] = QM[i] / p - MP[i] / pStar;
    const tau = trQ / p - trP / pStar;
    const trACAC = trQ2 / pp - (2 * trMMt) / (p * pStar) + trP2 / (pStar * pStar);
    matmul(G, Q, p, p, p, GQ);
    matmulT(H, M, p, pStar, p, HMt);
    const c0 = tau * tau + 2 * trACAC + noise;
    for (let i = 0; i < pp; i++) {
      const eLL = tau * Q[i] + 2 * G[i];
      const S = GQ[i] / p - HMt[i] / pStar;
      const e2LL = c0 * Q[i] + 4 * tau * G[i] + 8 * S;
      dy[i] = -2 * gf * eLL + nq * e2LL - 2 * decay * Q[i];
    }
    for (let i = 0; i < p * pStar; i++) dy[pp + i] = -gf * (tau * M[i] + 2 * H[i]) - decay * M[i];
  };
}
