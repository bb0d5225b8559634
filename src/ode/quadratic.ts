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
import { rowDotsWorkspace, type RowDotsWorkspace } from './rowDots.js';
import { quadraticKernel, type QuadraticKernel } from './quadraticKernel.js';
import type { Dopri5Stepper } from './integrateTypes.js';

/** ε = ½ E[e²] = ½ [τ² + 2 tr(ACAC)] + Δ/2: mean² plus variance of the quadratic form. */
export function quadraticPopulationLoss(o: Overlaps, noise: number): number {
  const { p, pStar, Q, M, P } = o;
  const tau = trace(Q, p) / p - trace(P, pStar) / pStar;
  const trACAC = frobeniusDot(Q, Q) / (p * p) - (2 * frobeniusDot(M, M)) / (p * pStar) + frobeniusDot(P, P) / (pStar * pStar);
  return 0.5 * (tau * tau + 2 * trACAC) + noise / 2;
}

/**
 * What the closed-form right-hand side needs besides the state: sizes, P and its invariants, the
 * rates, and work buffers (allocated once per problem).
 */
interface QuadraticWorkspace {
  readonly p: number;
  /** p*. */
  readonly ps: number;
  readonly P: Float64Array;
  /** tr P and tr P². */
  readonly trP: number;
  readonly trP2: number;
  /** Rate of the gradient-flow term, 2η/p (rewritten at each α under a schedule η(α)). */
  gf: number;
  /** Rate of the SGD-noise term, 4η²/p² (0 for gradient flow). */
  nq: number;
  /** η λ (weight decay). */
  decay: number;
  /** Label-noise variance Δ. */
  readonly noise: number;
  /** G = Q²/p − MMᵀ/p* (p×p) and H = QM/p − MP/p* (p×p*), rewritten at every evaluation. */
  readonly G: Float64Array;
  readonly H: Float64Array;
}

export function quadraticRhs(params: DynamicsParams): OverlapRhs {
  const { p, pStar, eta, noise, P } = params;
  const w: QuadraticWorkspace = {
    p, ps: pStar, P, trP: trace(P, pStar), trP2: frobeniusDot(P, P),
    gf: (2 * eta) / p,
    nq: params.sgdNoise === false ? 0 : (4 * eta * eta) / (p * p),
    decay: eta * (params.weightDecay ?? 0),
    noise,
    G: new Float64Array(p * p), H: new Float64Array(p * pStar),
  };
  const { etaAt } = params;
  if (etaAt) {
    // η(α) (src/ode/protocol.ts): the same coefficients, recomputed at each α.
    const noisy = params.sgdNoise !== false, wd = params.weightDecay ?? 0;
    return (y, dy, alpha = 0) => {
      const e = etaAt(alpha);
      w.gf = (2 * e) / p;
      w.nq = noisy ? (4 * e * e) / (p * p) : 0;
      w.decay = e * wd;
      quadraticRhsInto(y, dy, w);
    };
  }
  return (y, dy) => quadraticRhsInto(y, dy, w);
}

/**
 * The right-hand side proper. A top-level function with its inputs as an argument, not a closure
 * over them: V8 specialises an optimised closure to the first context it saw, and each later
 * problem's closure then runs on slower generic code (measured 1.25 → 2.3 µs at p = 8). Every
 * workspace has the same shape, so the property loads stay monomorphic.
 */
function quadraticRhsInto(y: Float64Array, dy: Float64Array, w: QuadraticWorkspace): void {
  const { p, ps, P, G, H, trP, trP2, gf, nq, decay, noise } = w;
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

/**
 * Work buffers and constants of the (Q⊥, M) form, allocated once per problem. p×p* matrices are
 * kept twice, row-major (p rows of p*) and transposed (p* rows of p, names ending in t): every
 * rank-p* product then runs as long contiguous loops over p instead of short ones over p*.
 */
interface PerpContext {
  readonly p: number; readonly ps: number; readonly noise: number;
  readonly Pinv: Float64Array; readonly P2s: Float64Array;
  readonly K: Float64Array; readonly Q: Float64Array; readonly D: Float64Array;
  readonly MPi: Float64Array; readonly MPiD: Float64Array; readonly H: Float64Array; readonly U: Float64Array; readonly GM: Float64Array;
  readonly Mt: Float64Array; readonly MPit: Float64Array; readonly Ut: Float64Array;
  readonly G: Float64Array; readonly LR: Float64Array; readonly row1: Float64Array; readonly row2: Float64Array;
  readonly work: RowDotsWorkspace;
  /** The WebAssembly kernel doing all of the above in its own memory (K, Q, D are then its views), or null. */
  readonly kernel: QuadraticKernel | null;
  tau: number;
  /** The state of the last perpOverlaps call and its ε (see there). */
  readonly lastY: Float64Array; lastValid: boolean; lastEps: number;
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

function perpContext(p: number, ps: number, P: Float64Array, Pinv: Float64Array, noise: number, engine: 'wasm' | 'js'): PerpContext {
  const P2s = new Float64Array(ps * ps);
  for (let i = 0; i < ps; i++) for (let j = 0; j < ps; j++) {
    let s = 0;
    for (let l = 0; l < ps; l++) s += P[i * ps + l] * P[l * ps + j];
    P2s[i * ps + j] = s / ps;
  }
  const kernel = engine === 'wasm' ? quadraticKernel(p, ps) : null;
  // With the kernel the JavaScript buffers are never used: empty ones, so that a wide problem does not hold them twice.
  const size = (s: number) => (kernel ? 0 : s);
  const work = rowDotsWorkspace(kernel ? 0 : p, ps, 'js');
  const pps = () => new Float64Array(size(p * ps));
  if (kernel) { kernel.Pinv.set(Pinv); kernel.P2s.set(P2s); }
  return {
    p, ps, noise, Pinv, P2s, K: kernel?.K ?? new Float64Array(p * p), Q: kernel?.Q ?? new Float64Array(p * p), D: kernel?.D ?? new Float64Array(ps * ps),
    MPi: pps(), MPiD: pps(), H: pps(), U: work.U, GM: work.GM, Mt: work.Mt, MPit: pps(), Ut: pps(),
    G: work.G, LR: new Float64Array(size(p * p)), row1: new Float64Array(size(p)), row2: new Float64Array(size(p)), work, kernel,
    // With the kernel, its input buffer Y is the last state (only perpOverlaps writes it): no copy of its own.
    tau: 0, lastY: kernel?.Y ?? new Float64Array(p * p + p * ps), lastValid: false, lastEps: 0,
  };
}

/** Bt (n×p) ← Aᵀ for A p×n row-major. */
function transposeInto(A: Float64Array, aOff: number, p: number, n: number, Bt: Float64Array): void {
  for (let i = 0; i < p; i++) for (let m = 0; m < n; m++) Bt[m * p + i] = A[aOff + i * n + m];
}

/**
 * out[j] = Σ_m a[aOff + m] Bt[m p + j] for j in [from, p): row aOff/n of A·Bᵀ for B = (Bt)ᵀ, the
 * sum over m = 0, 1, … in order (each out[j] starts at 0).
 */
function lowRankRow(out: Float64Array, a: Float64Array, aOff: number, Bt: Float64Array, n: number, p: number, from: number): void {
  // Two terms per pass ((out + a_m b_m) + a_{m+1} b_{m+1}: the same additions in the same order
  // as one term per pass), so that p* = 2 is a single pass.
  let m = 0;
  if (n >= 2) {
    const a0 = a[aOff], a1 = a[aOff + 1];
    for (let j = from; j < p; j++) out[j] = a0 * Bt[j] + a1 * Bt[p + j];
    m = 2;
  } else {
    const a0 = a[aOff];
    for (let j = from; j < p; j++) out[j] = a0 * Bt[j];
    m = 1;
  }
  for (; m + 1 < n; m += 2) {
    const a0 = a[aOff + m], a1 = a[aOff + m + 1], o0 = m * p, o1 = o0 + p;
    for (let j = from; j < p; j++) out[j] = out[j] + a0 * Bt[o0 + j] + a1 * Bt[o1 + j];
  }
  if (m < n) {
    const a0 = a[aOff + m], o0 = m * p;
    for (let j = from; j < p; j++) out[j] += a0 * Bt[o0 + j];
  }
}

/**
 * Fills K, Q = Q⊥ + K, MP⁻¹ (and its transpose), Mᵀ, D, MP⁻¹D and τ from the state y = [Q⊥, M];
 * returns ε (noiseless part plus Δ/2) in the cancellation-free form of the header.
 */
function perpOverlaps(y: Float64Array, c: PerpContext): number {
  // The integrator asks for ε and Q at the state it has just evaluated the right-hand side at
  // (first-same-as-last): the buffers still hold that state's values, and recomputing them
  // would give the same bits.
  if (isLast(y, c)) return c.lastEps;
  if (c.kernel) {
    setKernelState(y, c);
    // τ stays in the kernel (tauOf): one crossing of the boundary fewer.
    return remember(c, y, c.kernel.overlaps(c.noise));
  }
  const { p, ps, Pinv, P2s, K, Q, MPi, MPit, Mt, D, MPiD, row1 } = c;
  const pp = p * p;
  for (let i = 0; i < p; i++) for (let j = 0; j < ps; j++) {
    let s = 0;
    for (let l = 0; l < ps; l++) s += y[pp + i * ps + l] * Pinv[l * ps + j];
    MPi[i * ps + j] = s;
  }
  transposeInto(MPi, 0, p, ps, MPit);
  transposeInto(y, pp, p, ps, Mt);
  // K = MP⁻¹Mᵀ, Q = Q⊥ + K (upper triangle, then mirrored); tr Q⊥², tr(Q⊥K)
  let trQp = 0, qq = 0, qk = 0;
  for (let i = 0; i < p; i++) {
    const ri = i * p;
    trQp += y[ri + i];
    lowRankRow(row1, MPi, i * ps, Mt, ps, p, i);
    for (let j = i; j < p; j++) {
      const s = row1[j], qp = y[ri + j];
      K[ri + j] = s;
      Q[ri + j] = qp + s;
      const w = i === j ? 1 : 2;
      qq += w * qp * qp;
      qk += w * qp * s;
    }
  }
  // K and Q are kept as upper triangles here (all the right-hand side reads); toPerp, toQ and
  // viewQ mirror them.
  for (let a = 0; a < ps; a++) for (let b = a; b < ps; b++) {
    let s = 0;
    for (let k = 0; k < p; k++) s += Mt[a * p + k] * Mt[b * p + k];
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
  return remember(c, y, 0.5 * tau * tau + (qq + 2 * qk) / pp + trDPi2 + c.noise / 2);
}

/** Whether y is the state of the last perpOverlaps call (whose values the buffers still hold). */
function isLast(y: Float64Array, c: PerpContext): boolean {
  if (!c.lastValid) return false;
  const last = c.lastY;
  for (let i = 0; i < last.length; i++) if (y[i] !== last[i]) return false;
  return true;
}

function setKernelState(y: Float64Array, c: PerpContext): void {
  const n = c.lastY.length;
  c.kernel!.Y.set(y.length === n ? y : y.subarray(0, n));
}

/** τ at the last state: the kernel's, or the JavaScript's. */
const tauOf = (c: PerpContext) => (c.kernel ? c.kernel.tau() : c.tau);

function remember(c: PerpContext, y: Float64Array, eps: number): number {
  if (c.lastY !== c.kernel?.Y) c.lastY.set(y.length === c.lastY.length ? y : y.subarray(0, c.lastY.length));
  c.lastValid = true;
  c.lastEps = eps;
  return eps;
}

/** A[j][i] ← A[i][j] for j > i, in tiles (writing a whole column at once leaves the cache at large p). */
function mirrorUpper(A: Float64Array, p: number): void {
  const B = 32;
  for (let i0 = 0; i0 < p; i0 += B) for (let j0 = i0; j0 < p; j0 += B) {
    const iEnd = Math.min(i0 + B, p), jEnd = Math.min(j0 + B, p);
    for (let i = i0; i < iEnd; i++) for (let j = Math.max(j0, i + 1); j < jEnd; j++) A[j * p + i] = A[i * p + j];
  }
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
  /**
   * The whole Dormand–Prince 5(4) step on `rhs` in the WebAssembly kernel (stages, evaluations,
   * error estimate; the same bits as dopri5.ts's JavaScript stages on `rhs`), for a vector field
   * to carry (integrateTypes.ts); null or absent without the kernel, under an η(α) schedule and in other forms.
   */
  readonly dopri5?: Dopri5Stepper | null;
}

/**
 * The (Q⊥, M) form of the quadratic network's ODEs, or null when P is singular or ill-conditioned.
 * The right-hand side runs in the WebAssembly kernel (quadraticKernel.ts) where it exists;
 * `engine` 'js' keeps it in the JavaScript below, which gives the same bits (tested).
 */
export function quadraticPerpForm(params: DynamicsParams, engine: 'wasm' | 'js' = 'wasm'): PerpForm | null {
  const { p, pStar: ps, eta, noise, P } = params;
  const Pinv = spdInverse(P, ps);
  if (!Pinv) return null;
  const pp = p * p;
  const ctx = perpContext(p, ps, P, Pinv, noise, engine);
  const gf = (2 * eta) / p;
  const nq = params.sgdNoise === false ? 0 : (4 * eta * eta) / pp;
  const decay = eta * (params.weightDecay ?? 0);
  let pNorm = 0, piNorm = 0;
  for (let i = 0; i < ps * ps; i++) { pNorm = Math.max(pNorm, Math.abs(ctx.P2s[i])); piNorm += Pinv[i] * Pinv[i]; }
  piNorm = Math.sqrt(piNorm);
  const u = Number.EPSILON / 2;
  const { etaAt } = params, noisy = params.sgdNoise !== false, wd = params.weightDecay ?? 0;
  const kernel = ctx.kernel;
  const dopri5: Dopri5Stepper | null = kernel && !etaAt ? {
    ...kernel.step,
    step: (h, rtol, atol) => {
      const sum = kernel.dopri5Step(h, rtol, atol, noise, gf, nq, decay);
      // The kernel's input Y (ctx.lastY) now holds the new state and its overlaps (k7's).
      ctx.lastValid = true;
      ctx.lastEps = kernel.lastEps();
      return sum;
    },
  } : null;
  return {
    dopri5,
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
      return { loss: eps, floor: 16 * u * Math.abs(eps) + dD * piNorm * (Math.abs(tauOf(ctx)) + 2 * Math.sqrt(dNorm) * piNorm) };
    },
    toPerp: (Q, M) => {
      const y = new Float64Array(pp + p * ps);
      y.set(M as ArrayLike<number>, pp);
      perpOverlaps(y, ctx); // K from M (Q⊥ = 0 here)
      mirrorUpper(ctx.K, p);
      for (let i = 0; i < pp; i++) y[i] = Q[i] - ctx.K[i];
      return y;
    },
    toQ: (y) => { perpOverlaps(y, ctx); mirrorUpper(ctx.Q, p); return Float64Array.from(ctx.Q); },
    viewQ: (y) => { perpOverlaps(y, ctx); mirrorUpper(ctx.Q, p); return ctx.Q; },
  };
}

/**
 * dy/dα in (Q⊥, M), header equations, at O(p³) cost p³ multiply-adds (two half products) plus
 * O(p² p*) for the rest. With X = Q⊥, K = M P⁻¹ Mᵀ of rank p* and U = XM (p×p*):
 *   XK = U (MP⁻¹)ᵀ,  KX = (MP⁻¹) Uᵀ,  so  XQ + KX = X² + U(MP⁻¹)ᵀ + (MP⁻¹)Uᵀ,  QX + XQ = X² + (XQ + KX),
 *   GQ = GX + (GM)(MP⁻¹)ᵀ,
 * and the only p×p×p products are X² and GX, both symmetric-by-symmetric, of which only the
 * upper triangle is needed (X² is symmetric; S and dQ⊥/dα are symmetric, so GX's upper triangle
 * is all they read). The products of the earlier form (Q⊥Q, KQ⊥, GQ, QQ⊥ + Q⊥Q in full: 5p³)
 * become these two halves (p³): same equations, summed in another order (last bits differ).
 */
function quadraticPerpRhsInto(y: Float64Array, dy: Float64Array, c: PerpContext, gf: number, nq: number, decay: number): void {
  if (c.kernel) {
    // A new state (the usual case): its overlaps and the right-hand side in one call.
    if (isLast(y, c)) c.kernel.rhs(c.lastEps, gf, nq, decay);
    else { setKernelState(y, c); remember(c, y, c.kernel.overlapsRhs(c.noise, gf, nq, decay)); }
    dy.set(c.kernel.DY);
    return;
  }
  const eps = perpOverlaps(y, c);
  const { p, ps, Q, MPi, MPit, Mt, MPiD, G, H, U, Ut, GM, LR, row1, row2, work } = c;
  const { X, X2, GX } = work;
  const pp = p * p, tau = c.tau;
  // U = XM (kernel, with X²), H = U/p + MP⁻¹D
  X.set(y.subarray(0, pp));
  work.squareX();
  for (let i = 0; i < p * ps; i++) H[i] = U[i] / p + MPiD[i];
  transposeInto(U, 0, p, ps, Ut);
  // LR = U(MP⁻¹)ᵀ + (MP⁻¹)Uᵀ = XK + KX (upper), G = (X² + LR)/p + MP⁻¹D (MP⁻¹)ᵀ, symmetric, in full for GX
  for (let i = 0; i < p; i++) {
    const ri = i * p, mi = i * ps;
    lowRankRow(row1, U, mi, MPit, ps, p, i);
    lowRankRow(row2, MPi, mi, Ut, ps, p, i);
    for (let j = i; j < p; j++) LR[ri + j] = row1[j] + row2[j];
    lowRankRow(row1, MPiD, mi, MPit, ps, p, i);
    for (let j = i; j < p; j++) G[ri + j] = (X2[ri + j] + LR[ri + j]) / p + row1[j];
  }
  mirrorUpper(G, p);
  work.productGX(); // GX and GM = G M
  // ε includes Δ/2, so 2ε = τ² + 2 tr(ACAC) + Δ is the c0 of quadraticRhsInto.
  const c0 = 2 * eps;
  for (let i = 0; i < p; i++) {
    // S = GQ/p − HMᵀ/p* = (GX + GM(MP⁻¹)ᵀ)/p − HMᵀ/p*, and QQ⊥ + Q⊥Q = 2X² + LR for A Q⊥ + Q⊥ Aᵀ
    const ri = i * p, mi = i * ps;
    lowRankRow(row1, GM, mi, MPit, ps, p, i);
    lowRankRow(row2, H, mi, Mt, ps, p, i);
    for (let j = i; j < p; j++) {
      const s = (GX[ri + j] + row1[j]) / p - row2[j] / ps;
      const qqp = 2 * X2[ri + j] + LR[ri + j];
      const qp = y[ri + j];
      dy[ri + j] = -gf * (2 * tau * qp + (2 * qqp) / p) + nq * (c0 * Q[ri + j] + 4 * tau * G[ri + j] + 8 * s) - 2 * decay * qp;
    }
  }
  mirrorUpper(dy, p);
  for (let i = 0; i < p * ps; i++) dy[pp + i] = -gf * (tau * y[pp + i] + 2 * H[i]) - decay * y[pp + i];
}
