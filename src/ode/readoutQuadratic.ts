/**
 * Closed-form overlap ODEs for σ(z) = z² with any readout weights: fixed v, v* (e.g. teacher
 * weights, a non-uniform student readout) or a trained student second layer. The generic path
 * (committee.ts) sums O(p²(p + p*)²) four-variable Wick moments per evaluation; here the same
 * expectations come in closed form at O(p²(p + p*)) (p = 32: seconds instead of > 13 minutes).
 *
 * With z = (λ, ν) ~ N(0, C), C = [[Q, M], [Mᵀ, P]], the noiseless error is the quadratic form
 * e = zᵀAz, A = diag(V, −V*), V = diag(v), V* = diag(v*) (the mean readout is V = I/p, V* = I/p*:
 * quadratic.ts). Every expectation is a Gaussian moment of quadratic forms (Isserlis; the
 * derivation of quadratic.ts with A general):
 *   τ = tr(AC) = Σ_k v_k Q_kk − Σ_j v*_j P_jj,
 *   CAC = [[G, H], [Hᵀ, ·]],  G = QVQ − MV*Mᵀ,  H = QVM − MV*P,
 *   (CACAC)_λλ = S = GVQ − HV*Mᵀ,
 *   tr(ACAC) = tr(VQVQ) − 2 tr(VMV*Mᵀ) + tr(V*PV*P),
 *   E[e λ νᵀ] = τM + 2H,  E[e λ λᵀ] = τQ + 2G,
 *   E[e² λ λᵀ] = (τ² + 2 tr(ACAC) + Δ) Q + 4τG + 8S   (label noise √Δ ζ adds Δ Q).
 * With σ'(z) = 2z and σ(z) = z² the general equations (equations.ts) become
 *   dM/dα = −2η V (τM + 2H) − ηλ_wd M,
 *   dQ/dα = −2η (V E[eλλᵀ] + E[eλλᵀ] V) + 4η² V E[e²λλᵀ] V − 2ηλ_wd Q,
 *   dv/dα = −η_v E[e λ_k²] = −η_v (τ Q_kk + 2 G_kk)   (trained second layer).
 * The state is (Q, M[, v]) as on the generic path, whose loss (committeeLossAndFloor) and its
 * rounding floor solve.ts keeps: the (Q⊥, M) form of quadratic.ts, with its relative accuracy
 * down to ε ~ 10⁻³⁰⁰, exists for the mean (and any uniform) readout only.
 */
import type { DynamicsParams, OverlapRhs } from './equations.js';
import type { Network } from '../model/network.js';

/** Student and teacher both σ(z) = z²: the closed form applies, whatever the readouts. */
export function isSquareNetwork(net: Network): boolean {
  return net.student.name === 'square' && net.teacher.name === 'square';
}

export function readoutQuadraticRhs(params: DynamicsParams, net: Network): OverlapRhs {
  const { p, pStar: ps, noise, P, etaAt, secondLayerRateAt } = params;
  const pp = p * p, offV = pp + p * ps;
  const train = params.secondLayerRate !== undefined;
  const decay = params.weightDecay ?? 0;
  const noisy = params.sgdNoise !== false;
  const v = Float64Array.from(net.v), vs = Float64Array.from(net.vStar);
  // Teacher-only constants: Σ v*_j P_jj, tr(V*PV*P), and V*P, V*Mᵀ-free pieces.
  let trVsP = 0, trVsPVsP = 0;
  for (let i = 0; i < ps; i++) {
    trVsP += vs[i] * P[i * ps + i];
    for (let j = 0; j < ps; j++) trVsPVsP += vs[i] * P[i * ps + j] * vs[j] * P[j * ps + i];
  }
  const VQ = new Float64Array(pp), G = new Float64Array(pp), S = new Float64Array(pp), H = new Float64Array(p * ps);
  const MVs = new Float64Array(p * ps), HVs = new Float64Array(p * ps);
  return (y, dy, alpha = 0) => {
    // η(α) and η_v(α) of a power-law schedule (src/ode/protocol.ts); constants otherwise.
    const eta = etaAt ? etaAt(alpha) : params.eta;
    const etaV = secondLayerRateAt ? secondLayerRateAt(alpha) : params.secondLayerRate ?? 0;
    const nq = noisy ? 4 * eta * eta : 0;
    if (train) for (let k = 0; k < p; k++) v[k] = y[offV + k];
    // VQ = diag(v) Q; M V*; τ; tr(VQVQ) = Σ_kl (VQ)_kl (VQ)_lk; tr(VMV*Mᵀ)
    let tau = -trVsP, trVQVQ = 0, trVMVsM = 0;
    for (let k = 0; k < p; k++) {
      tau += v[k] * y[k * p + k];
      for (let l = 0; l < p; l++) VQ[k * p + l] = v[k] * y[k * p + l];
      for (let j = 0; j < ps; j++) {
        const m = y[pp + k * ps + j];
        MVs[k * ps + j] = m * vs[j];
        trVMVsM += v[k] * m * vs[j] * m;
      }
    }
    for (let k = 0; k < p; k++) for (let l = 0; l < p; l++) trVQVQ += VQ[k * p + l] * VQ[l * p + k];
    const trACAC = trVQVQ - 2 * trVMVsM + trVsPVsP;
    // G = Q(VQ) − (MV*)Mᵀ (symmetric: upper triangle, mirrored)
    for (let k = 0; k < p; k++) for (let l = k; l < p; l++) {
      let s = 0;
      for (let m = 0; m < p; m++) s += y[k * p + m] * VQ[m * p + l];
      for (let j = 0; j < ps; j++) s -= MVs[k * ps + j] * y[pp + l * ps + j];
      G[k * p + l] = G[l * p + k] = s;
    }
    // H = Q(VM) − (MV*)P
    for (let k = 0; k < p; k++) for (let j = 0; j < ps; j++) {
      let s = 0;
      for (let m = 0; m < p; m++) s += y[k * p + m] * v[m] * y[pp + m * ps + j];
      for (let i = 0; i < ps; i++) s -= MVs[k * ps + i] * P[i * ps + j];
      H[k * ps + j] = s;
      HVs[k * ps + j] = s * vs[j];
    }
    // S = G(VQ) − (HV*)Mᵀ (symmetric as (CACAC)_λλ: upper triangle)
    for (let k = 0; k < p; k++) for (let l = k; l < p; l++) {
      let s = 0;
      for (let m = 0; m < p; m++) s += G[k * p + m] * VQ[m * p + l];
      for (let j = 0; j < ps; j++) s -= HVs[k * ps + j] * y[pp + l * ps + j];
      S[k * p + l] = s;
    }
    const c0 = tau * tau + 2 * trACAC + noise;
    for (let k = 0; k < p; k++) for (let l = k; l < p; l++) {
      const q = y[k * p + l], g = G[k * p + l];
      const e1 = tau * q + 2 * g;
      const e2 = c0 * q + 4 * tau * g + 8 * S[k * p + l];
      const d = -2 * eta * (v[k] + v[l]) * e1 + nq * v[k] * v[l] * e2 - 2 * eta * decay * q;
      dy[k * p + l] = dy[l * p + k] = d;
    }
    for (let k = 0; k < p; k++) for (let j = 0; j < ps; j++) {
      const i = pp + k * ps + j;
      dy[i] = -2 * eta * v[k] * (tau * y[i] + 2 * H[k * ps + j]) - eta * decay * y[i];
    }
    if (train) for (let k = 0; k < p; k++) dy[offV + k] = -etaV * (tau * y[k * p + k] + 2 * G[k * p + k]);
  };
}

/**
 * ε = ½E[e²] = ½(τ² + 2 tr(ACAC)) + Δ/2 in closed form (O(p² + p p*), against the generic
 * path's (p + p*)² pair expectations), and the generic path's rounding floor: the pair terms
 * c_u c_v E[z_u² z_v²] = c_u c_v (C_uu C_vv + 2C_uv²) sum in absolute value to T_τ² + 2T_tr,
 * the absolute sums of the terms of τ and of tr(ACAC), and the floor is (n² + 4)·u times that
 * (committee.ts: committeeLossAndFloor).
 */
export function readoutQuadraticLossAndFloor(o: { p: number; pStar: number; Q: ArrayLike<number>; M: ArrayLike<number>; P: ArrayLike<number> }, net: Network, noise: number): { loss: number; floor: number } {
  const { p, pStar: ps, Q, M, P } = o;
  const v = net.v, vs = net.vStar;
  let tau = 0, absTau = 0, tr = 0, absTr = 0;
  for (let k = 0; k < p; k++) {
    const t = v[k] * Q[k * p + k];
    tau += t; absTau += Math.abs(t);
    for (let l = 0; l < p; l++) { const s = v[k] * v[l] * Q[k * p + l] * Q[k * p + l]; tr += s; absTr += Math.abs(s); }
    for (let j = 0; j < ps; j++) { const s = 2 * v[k] * vs[j] * M[k * ps + j] * M[k * ps + j]; tr -= s; absTr += Math.abs(s); }
  }
  for (let i = 0; i < ps; i++) {
    const t = vs[i] * P[i * ps + i];
    tau -= t; absTau += Math.abs(t);
    for (let j = 0; j < ps; j++) { const s = vs[i] * vs[j] * P[i * ps + j] * P[i * ps + j]; tr += s; absTr += Math.abs(s); }
  }
  const n = p + ps, u = Number.EPSILON / 2;
  return { loss: 0.5 * (tau * tau + 2 * tr) + noise / 2, floor: (n * n + 4) * u * (absTau * absTau + 2 * absTr) + u * noise };
}
