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
import { trace, frobeniusDot } from '../linalg/matrix.js';
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
  const { etaAt } = params;
  if (etaAt) {
    // η(α) (src/ode/protocol.ts): the same coefficients, recomputed at each α.
    const noisy = params.sgdNoise !== false, wd = params.weightDecay ?? 0;
    return (y, dy, alpha = 0) => {
      const e = etaAt(alpha);
      quadraticRhsInto(y, dy, p, pStar, P, G, H, trP, trP2, (2 * e) / p, noisy ? (4 * e * e) / (p * p) : 0, e * wd, noise);
    };
  }
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

/*
 * The same ODEs in the variables (Q⊥, M), Q⊥ = Q − M P⁻¹ Mᵀ: the overlap of the student's
 * component outside the teacher subspace. Near a solution the loss is linear in Q⊥ (ε ≈ tr(Q⊥·…)),
 * so in the variables (Q, M) it is a difference of O(1) terms and a state rounded to 10⁻¹⁶ carries
 * an absolute loss error ≈ 10⁻¹⁶ (7 % at ε = 2·10⁻¹⁰ measured). With K = M P⁻¹ Mᵀ and the
 * p*×p* matrix D = MᵀM/p − P²/p* (zero on the zero-loss manifold, where M = R P, RᵀR = (p/p*) I):
 *
 *   τ = tr Q⊥/p + tr(D P⁻¹)
 *   ε = ½τ² + (tr Q⊥² + 2 tr(Q⊥K))/p² + tr(D P⁻¹ D P⁻¹) + Δ/2
 *     (from tr K²/p² − 2 tr MMᵀ/(p p*) + tr P²/p*² = tr(DP⁻¹DP⁻¹)): a sum of non-negative terms,
 *     with D entering only quadratically, so the rounding of D (absolute 10⁻¹⁶) stays negligible.
 *   G = (Q⊥Q + KQ⊥)/p + MP⁻¹ D P⁻¹Mᵀ,   H = Q⊥M/p + MP⁻¹ D           (the G, H of above)
 *   dQ⊥/dα = A Q⊥ + Q⊥ Aᵀ + (4η²/p²) E[e² λλᵀ] − 2ηλ_wd Q⊥,  A = −(2η/p)(τ I + 2Q/p)
 *     (gradient flow: dW⊥/dα = A W⊥, see analysis/conserved.ts; the SGD noise acts on Q only),
 *   dM/dα as above. Every term of dQ⊥/dα is O(Q⊥) or O(ε) with no cancellation of O(1) terms:
 *   the loss keeps its relative accuracy as it falls (tested against an independent reference).
 */

/** Work buffers and constants of the (Q⊥, M) form, allocated once per problem. */
interface PerpContext {
  readonly p: number; readonly ps: number; readonly noise: number;
  readonly Pinv: Float64Array; readonly P2s: Float64Array;
  readonly K: Float64Array; readonly Q: Float64Array; readonly MPi: Float64Array; readonly D: Float64Array; readonly MPiD: Float64Array;
  readonly G: Float64Array; readonly H: Float64Array;
  tau: number;
}

/** P⁻¹ by Cholesky, or null when P is not numerically positive definite (condition > 10¹⁰). */
export function spdInverse(P: ArrayLike<number>, n: number): Float64Array | null {
  const L = new Float64Array(n * n);
  let dMax = 0, dMin = Infinity;
  for (let j = 0; j < n; j++) {
    let s = P[j * n + j];
    for (let k = 0; k < j; k++) s -= L[j * n + k] * L[j * n + k];
    if (!(s > 0)) return null;
    L[j * n + j] = Math.sqrt(s);
    dMax = Math.max(dMax, s); dMin = Math.min(dMin, s);
    for (let i = j + 1; i < n; i++) {
      let t = P[i * n + j];
      for (let k = 0; k < j; k++) t -= L[i * n + k] * L[j * n + k];
      L[i * n + j] = t / L[j * n + j];
    }
  }
  if (dMin < 1e-10 * dMax) return null;
  // Columns of P⁻¹ by forward and back substitution.
  const inv = new Float64Array(n * n), z = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    for (let i = 0; i < n; i++) {
      let s = i === c ? 1 : 0;
      for (let k = 0; k < i; k++) s -= L[i * n + k] * z[k];
      z[i] = s / L[i * n + i];
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = z[i];
      for (let k = i + 1; k < n; k++) s -= L[k * n + i] * inv[k * n + c];
      inv[i * n + c] = s / L[i * n + i];
    }
  }
  return inv;
}

function perpContext(p: number, ps: number, P: Float64Array, Pinv: Float64Array, noise: number): PerpContext {
  const P2s = new Float64Array(ps * ps);
  for (let i = 0; i < ps; i++) for (let j = 0; j < ps; j++) {
    let s = 0;
    for (let l = 0; l < ps; l++) s += P[i * ps + l] * P[l * ps + j];
    P2s[i * ps + j] = s / ps;
  }
  return {
    p, ps, noise, Pinv, P2s, K: new Float64Array(p * p), Q: new Float64Array(p * p), MPi: new Float64Array(p * ps),
    D: new Float64Array(ps * ps), MPiD: new Float64Array(p * ps), G: new Float64Array(p * p), H: new Float64Array(p * ps), tau: 0,
  };
}

/**
 * Fills K, Q = Q⊥ + K, MP⁻¹, D, MP⁻¹D and τ from the state y = [Q⊥, M]; returns ε (noiseless part
 * plus Δ/2) in the cancellation-free form of the header.
 */
function perpOverlaps(y: Float64Array, c: PerpContext): number {
  const { p, ps, Pinv, P2s, K, Q, MPi, D, MPiD } = c;
  const pp = p * p;
  for (let i = 0; i < p; i++) for (let j = 0; j < ps; j++) {
    let s = 0;
    for (let l = 0; l < ps; l++) s += y[pp + i * ps + l] * Pinv[l * ps + j];
    MPi[i * ps + j] = s;
  }
  let trQp = 0, qq = 0, qk = 0;
  for (let i = 0; i < p; i++) {
    trQp += y[i * p + i];
    for (let j = i; j < p; j++) {
      let s = 0;
      for (let l = 0; l < ps; l++) s += MPi[i * ps + l] * y[pp + j * ps + l];
      K[i * p + j] = K[j * p + i] = s;
      const qp = y[i * p + j];
      Q[i * p + j] = Q[j * p + i] = qp + s;
      const w = i === j ? 1 : 2;
      qq += w * qp * qp;
      qk += w * qp * s;
    }
  }
  for (let a = 0; a < ps; a++) for (let b = a; b < ps; b++) {
    let s = 0;
    for (let k = 0; k < p; k++) s += y[pp + k * ps + a] * y[pp + k * ps + b];
    D[a * ps + b] = D[b * ps + a] = s / p - P2s[a * ps + b];
  }
  for (let i = 0; i < p; i++) for (let j = 0; j < ps; j++) {
    let s = 0;
    for (let l = 0; l < ps; l++) s += MPi[i * ps + l] * D[l * ps + j];
    MPiD[i * ps + j] = s;
  }
  // tr(D P⁻¹) and tr(D P⁻¹ D P⁻¹) = Σ_ab (DP⁻¹)_ab (DP⁻¹)_ba
  let trDPi = 0, trDPi2 = 0;
  for (let a = 0; a < ps; a++) for (let b = 0; b < ps; b++) {
    let s = 0, t = 0;
    for (let l = 0; l < ps; l++) { s += D[a * ps + l] * Pinv[l * ps + b]; t += D[b * ps + l] * Pinv[l * ps + a]; }
    if (a === b) trDPi += s;
    trDPi2 += s * t;
  }
  const tau = trQp / p + trDPi;
  c.tau = tau;
  return 0.5 * tau * tau + (qq + 2 * qk) / pp + trDPi2 + c.noise / 2;
}

export interface PerpForm {
  /** dy/dα for y = [Q⊥, M]. */
  readonly rhs: OverlapRhs;
  /** ε at y = [Q⊥, M], cancellation-free, and a bound on its rounding error (relative, plus D's rounding, which enters quadratically). */
  readonly lossAndFloor: (y: Float64Array) => { loss: number; floor: number };
  /** [Q⊥, M] from (Q, M). */
  readonly toPerp: (Q: ArrayLike<number>, M: ArrayLike<number>) => Float64Array;
  /** Q = Q⊥ + M P⁻¹ Mᵀ from y = [Q⊥, M]. */
  readonly toQ: (y: Float64Array) => Float64Array;
  /** The same Q in a work buffer, valid until the next call (no allocation, for per-step checks). */
  readonly viewQ: (y: Float64Array) => Float64Array;
}

/** The (Q⊥, M) form of the quadratic network's ODEs, or null when P is singular or ill-conditioned. */
export function quadraticPerpForm(params: DynamicsParams): PerpForm | null {
  const { p, pStar: ps, eta, noise, P } = params;
  const Pinv = spdInverse(P, ps);
  if (!Pinv) return null;
  const pp = p * p;
  const ctx = perpContext(p, ps, P, Pinv, noise);
  const gf = (2 * eta) / p;
  const nq = params.sgdNoise === false ? 0 : (4 * eta * eta) / pp;
  const decay = eta * (params.weightDecay ?? 0);
  let pNorm = 0, piNorm = 0;
  for (let i = 0; i < ps * ps; i++) { pNorm = Math.max(pNorm, Math.abs(ctx.P2s[i])); piNorm += Pinv[i] * Pinv[i]; }
  piNorm = Math.sqrt(piNorm);
  const u = Number.EPSILON / 2;
  const { etaAt } = params, noisy = params.sgdNoise !== false, wd = params.weightDecay ?? 0;
  return {
    // η(α) (src/ode/protocol.ts): the same coefficients, recomputed at each α.
    rhs: etaAt
      ? (y, dy, alpha = 0) => { const e = etaAt(alpha); quadraticPerpRhsInto(y, dy, ctx, (2 * e) / p, noisy ? (4 * e * e) / pp : 0, e * wd); }
      : (y, dy) => quadraticPerpRhsInto(y, dy, ctx, gf, nq, decay),
    lossAndFloor: (y) => {
      const eps = perpOverlaps(y, ctx);
      // D = MᵀM/p − P²/p* is rounded to ≈ 4u·max|P²/p*| per entry (at most p* + 2 roundings of
      // O(1) terms); it enters ε through ½τ² and tr(DP⁻¹DP⁻¹); the rest is a sum of
      // non-negative terms, accurate to a few u relative.
      let dNorm = 0;
      for (let i = 0; i < ps * ps; i++) dNorm += ctx.D[i] * ctx.D[i];
      const dD = (ps + 2) * u * pNorm * ps;
      return { loss: eps, floor: 16 * u * Math.abs(eps) + dD * piNorm * (Math.abs(ctx.tau) + 2 * Math.sqrt(dNorm) * piNorm) };
    },
    toPerp: (Q, M) => {
      const y = new Float64Array(pp + p * ps);
      y.set(M as ArrayLike<number>, pp);
      perpOverlaps(y, ctx); // K from M (Q⊥ = 0 here)
      for (let i = 0; i < pp; i++) y[i] = Q[i] - ctx.K[i];
      return y;
    },
    toQ: (y) => { perpOverlaps(y, ctx); return Float64Array.from(ctx.Q); },
    viewQ: (y) => { perpOverlaps(y, ctx); return ctx.Q; },
  };
}

function quadraticPerpRhsInto(y: Float64Array, dy: Float64Array, c: PerpContext, gf: number, nq: number, decay: number): void {
  const eps = perpOverlaps(y, c);
  const { p, ps, K, Q, MPi, MPiD, G, H } = c;
  const pp = p * p, tau = c.tau;
  // H = Q⊥M/p + MP⁻¹D
  for (let i = 0; i < p; i++) for (let j = 0; j < ps; j++) {
    let s = 0;
    for (let l = 0; l < p; l++) s += y[i * p + l] * y[pp + l * ps + j];
    H[i * ps + j] = s / p + MPiD[i * ps + j];
  }
  // G = (Q⊥Q + KQ⊥)/p + MP⁻¹D (MP⁻¹)ᵀ (symmetric)
  for (let i = 0; i < p; i++) for (let j = i; j < p; j++) {
    let s = 0, t = 0;
    for (let l = 0; l < p; l++) s += y[i * p + l] * Q[l * p + j] + K[i * p + l] * y[l * p + j];
    for (let l = 0; l < ps; l++) t += MPiD[i * ps + l] * MPi[j * ps + l];
    G[i * p + j] = G[j * p + i] = s / p + t;
  }
  // ε includes Δ/2, so 2ε = τ² + 2 tr(ACAC) + Δ is the c0 of quadraticRhsInto.
  const c0 = 2 * eps;
  for (let i = 0; i < p; i++) for (let j = i; j < p; j++) {
    // S = GQ/p − HMᵀ/p*, and (QQ⊥ + Q⊥Q)_ij for A Q⊥ + Q⊥ Aᵀ
    let gq = 0, hm = 0, qqp = 0;
    for (let l = 0; l < p; l++) { gq += G[i * p + l] * Q[l * p + j]; qqp += Q[i * p + l] * y[l * p + j] + y[i * p + l] * Q[l * p + j]; }
    for (let m = 0; m < ps; m++) hm += H[i * ps + m] * y[pp + j * ps + m];
    const s = gq / p - hm / ps;
    const qp = y[i * p + j];
    const d = -gf * (2 * tau * qp + (2 * qqp) / p) + nq * (c0 * Q[i * p + j] + 4 * tau * G[i * p + j] + 8 * s) - 2 * decay * qp;
    dy[i * p + j] = dy[j * p + i] = d;
  }
  for (let i = 0; i < p * ps; i++) dy[pp + i] = -gf * (tau * y[pp + i] + 2 * H[i]) - decay * y[pp + i];
}
