/**
 * The noise of the stochastic overlap dynamics of the quadratic network (σ(z) = z², mean readout,
 * fixed second layer), from exact Gaussian moments.
 *
 * One SGD step (src/sim/sgd.ts) is w_k ← w_k + (a_k/√N) x with
 *   a_k = c e λ_k,   c = −2η/p,   e = q − √Δ ζ,   q = zᵀAz,  A = diag(I_p/p, −I_{p*}/p*)      (1)
 * where z = (λ, ν) ~ N(0, C), C = [[Q, M], [Mᵀ, P]], ζ ~ N(0, 1) independent. Exactly,
 *   N ΔM_kj = a_k ν_j,    N ΔQ_kl = a_k λ_l + a_l λ_k + a_k a_l |x|²/N.                       (2)
 * With |x|²/N = 1 + O(N^{-1/2}) (and nearly independent of z), to leading order the increment
 * N ΔX is the random vector Z(z, ζ) with
 *   Z^Q_kl = h(e) λ_k λ_l,  h(e) = 2c e + c² e²;    Z^M_kj = c e λ_k ν_j.                      (3)
 * Over Nδα steps the increments are i.i.d. given X (fresh samples), so by the CLT
 *   X(α + δα) − X(α) = F(X) δα + N^{-1/2} B(X) (W(α + δα) − W(α)) + O(δα/N),  B Bᵀ = Cov Z,    (4)
 * with F = E Z the ODE's drift (src/ode/quadratic.ts). Neglected: O(1/N) corrections to the drift
 * (from |x|²/N − 1, from the p + p* directions x shares with the weights) and the non-Gaussian
 * (skewness) part of the increments, which is O(N^{-1}) after rescaling.
 *
 * Every component of Z is w(e) z_a z_b with w a polynomial of degree ≤ 2 in e (3), so Cov Z needs
 * E[e^r z_a z_b] and E[e^r z_a z_b z_c z_d] for r ≤ 4. They follow from the moment generating
 * function of the tilted Gaussian: for |t| small,
 *   E[e^{tq} f(z)] = d(t) E_{Σ(t)}[f],  Σ(t) = (C⁻¹ − 2tA)⁻¹ = Σ_{m≥0} (2t)^m (CA)^m C,         (5)
 *   d(t) = det(I − 2tCA)^{-1/2} = exp(Σ_{m≥1} g_m t^m),   g_m = 2^{m−1} tr((CA)^m)/m             (6)
 * (both sides are polynomials in C at each order in t, so (5)–(6) hold for singular C too). With
 * S_i = 2^i (CA)^i C and d(t) = Σ d_m t^m (d_0 = 1, d_r = (1/r) Σ_{m=1}^{r} m g_m d_{r−m}),
 * Isserlis' theorem under Σ(t) gives, taking r! [t^r]:
 *   E[q^r z_a z_b]          = r! Σ_{i+m=r} d_m S_i[ab]                                         (7)
 *   E[q^r z_a z_b z_c z_d]  = r! Σ_{i+j+m=r} d_m (S_i[ab] S_j[cd] + S_i[ac] S_j[bd] + S_i[ad] S_j[bc]).  (8)
 * (Check: r = 1 in (7) is τC + 2CAC, the E[e λλᵀ] = τQ + 2G of quadratic.ts.) The label noise
 * enters through the binomial expansion of e^r = (q − √Δ ζ)^r with E ζ² = 1, E ζ⁴ = 3:
 *   E[e^r X] = Σ_{k even} C(r, k) Δ^{k/2} E[ζ^k] E[q^{r−k} X].                                 (9)
 * Cov Z = E[Z Zᵀ] − E Z E Zᵀ from (3), (7)–(9). Cost O(n³) for the S_i (n = p + p*) plus
 * 15 products per pair of components (the sums over i, j of (8) folded into a Hankel product first):
 * ≈ 5·10³ operations at p = 4, p* = 2, independent of N. The loops over matrix entries (the S_i,
 * the Hankel products, the covariance, its Cholesky factor) run in WebAssembly where it exists
 * (wasm/sdeKernel.ts, same bits as the JavaScript here, which remains the fallback).
 *
 * Coordinates of X: the upper triangle of Q (k ≤ l, row by row), then M row-major; D = p(p+1)/2 + p p*.
 */

import { SDE_KERNEL_BASE64 } from './sdeKernelBinary.js';
import { pow } from '../math/pow.js';

/** Largest power of q in (7)–(8): h(e)² has degree 4 in e. */
const R = 4;

export interface NoiseLayout {
  readonly p: number;
  readonly pStar: number;
  /** Number of coordinates D = p(p+1)/2 + p p*. */
  readonly dim: number;
  /** Index pair (a, b) into z = (λ, ν) of coordinate i, and whether it is a Q coordinate. */
  readonly a: Int32Array;
  readonly b: Int32Array;
  readonly isQ: Uint8Array;
}

export function noiseLayout(p: number, pStar: number): NoiseLayout {
  const dim = (p * (p + 1)) / 2 + p * pStar;
  const a = new Int32Array(dim), b = new Int32Array(dim), isQ = new Uint8Array(dim);
  let i = 0;
  for (let k = 0; k < p; k++) for (let l = k; l < p; l++) { a[i] = k; b[i] = l; isQ[i] = 1; i++; }
  for (let k = 0; k < p; k++) for (let j = 0; j < pStar; j++) { a[i] = k; b[i] = p + j; isQ[i] = 0; i++; }
  return { p, pStar, dim, a, b, isQ };
}

export interface QuadraticNoise {
  readonly layout: NoiseLayout;
  /**
   * Fills `mean` (length D) with E Z and `cov` (D×D, row-major) with Cov Z of (3) at overlaps
   * (Q, M) (P fixed), at learning rate `eta` (default: the one the noise was made with; a
   * schedule passes η(α) step by step). Buffers are the caller's; nothing is allocated.
   */
  readonly moments: (Q: ArrayLike<number>, M: ArrayLike<number>, mean: Float64Array, cov: Float64Array, eta?: number) => void;
  /**
   * The noise factor at (Q, M): the lower Cholesky factor L (D×D) of Cov Z, pivots below 10⁻¹⁴ ×
   * its largest diagonal taken as 0 (Cov Z is positive semidefinite). The array is the noise's
   * own, overwritten by the next call.
   */
  readonly factor: (Q: ArrayLike<number>, M: ArrayLike<number>, eta?: number) => Float64Array;
}

/**
 * Lower Cholesky factor L of a symmetric n×n matrix A (row-major) into L. A pivot at or below
 * `tol` either ends the factorisation (`semidefinite` false: returns false, A is not positive
 * definite to that tolerance) or is taken as 0 with its column (`semidefinite` true: the factor
 * of a positive semidefinite A, whose column below a zero pivot vanishes too).
 */
export function cholesky(A: ArrayLike<number>, n: number, L: Float64Array, tol: number, semidefinite: boolean): boolean {
  L.fill(0);
  // Row offsets hoisted; the sums run in the same order as the textbook loop (same bits).
  for (let j = 0, rj = 0; j < n; j++, rj += n) {
    let s = A[rj + j];
    for (let k = 0; k < j; k++) s -= L[rj + k] * L[rj + k];
    if (!(s > tol)) {
      if (semidefinite) continue;
      return false;
    }
    const ljj = Math.sqrt(s);
    L[rj + j] = ljj;
    for (let i = j + 1, ri = rj + n; i < n; i++, ri += n) {
      let t = A[ri + j];
      for (let k = 0; k < j; k++) t -= L[ri + k] * L[rj + k];
      L[ri + j] = t / ljj;
    }
  }
  return true;
}

function binom(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

/** Noise of the quadratic network with learning rate η, label-noise variance Δ and teacher overlap P (p*×p*). */
export function quadraticNoise(p: number, pStar: number, eta: number, noise: number, P: ArrayLike<number>, engine: 'wasm' | 'js' = 'wasm'): QuadraticNoise {
  const n = p + pStar, nn = n * n;
  const layout = noiseLayout(p, pStar);
  const { dim, a, b, isQ } = layout;
  // w(e) = Σ_r w[r] e^r of (3): Q coordinates 2c e + c² e², M coordinates c e (c = −2η/p, set per call).
  const wQ = [0, 0, 0], wM = [0, 0, 0];
  // (9): E[e^r X] = Σ_{r'} K[r][r'] E[q^{r'} X]
  const zeta = [1, 0, 1, 0, 3];
  const K: number[][] = [];
  for (let r = 0; r <= R; r++) {
    K.push(new Array(R + 1).fill(0));
    for (let k = 0; k <= r; k += 2) K[r][r - k] = binom(r, k) * pow(noise, k / 2) * zeta[k];
  }
  const fact = [1, 1, 2, 6, 24];
  const C = new Float64Array(nn);
  // A's diagonal (1).
  const Adiag = new Float64Array(n).map((_, j) => (j < p ? 1 / p : -1 / pStar));
  const d = new Float64Array(R + 1), g = new Float64Array(R + 1);
  // coef[r][u]: E[e^r z_a z_b] = Σ_u coef[r][u] S_u[ab]; E[e^r z_a z_b z_c z_d] = Σ_{i,j} coef[r][i+j] pair(i, j)  ((7)–(9))
  const coef = Array.from({ length: R + 1 }, () => new Float64Array(R + 1));
  // W{QQ,QM,MM}[u] = Σ_{r1,r2} w_α[r1] w_β[r2] coef[r1+r2][u]; mean weights mQ, mM.
  // The work arrays live in the WebAssembly kernel's memory when there is one (sdeKernel below).
  const npairs = (dim * (dim + 1)) / 2, kernel = engine === 'wasm' ? sdeKernel(n, dim, npairs) : null;
  const CA = kernel?.CA ?? new Float64Array(nn), sv = kernel?.sv ?? new Float64Array(nn * 5), tw = kernel?.tw ?? new Float64Array(3 * nn * 5);
  const W = kernel?.W ?? new Float64Array(3 * (R + 1)), mw = kernel?.mw ?? new Float64Array(2 * (R + 1));
  const WQQ = W.subarray(0, R + 1), WQM = W.subarray(R + 1, 2 * (R + 1)), WMM = W.subarray(2 * (R + 1));
  const mQ = mw.subarray(0, R + 1), mM = mw.subarray(R + 1);
  // t^W of the three weight pairs side by side (QQ, QM, MM at offsets 0, 5nn, 10nn), and for each
  // pair (x ≤ y) of coordinates the six offsets of (8): t[ab], t[ac], t[ad] (with the pair's W) and
  // S[cd], S[bd], S[bc]: the covariance loop is then loads and products only.
  const offs = kernel?.offs ?? new Int32Array(6 * npairs);
  kernel?.a.set(a); kernel?.b.set(b); kernel?.isQ.set(isQ);
  for (let x = 0, k = 0; x < dim; x++) for (let y = x; y < dim; y++, k++) {
    const ia = a[x], ib = b[x], ic = a[y], id = b[y];
    const base = (isQ[x] ? (isQ[y] ? 0 : 1) : isQ[y] ? 1 : 2) * nn * 5;
    offs[6 * k] = base + (ia * n + ib) * 5; offs[6 * k + 1] = base + (ia * n + ic) * 5; offs[6 * k + 2] = base + (ia * n + id) * 5;
    offs[6 * k + 3] = (ic * n + id) * 5; offs[6 * k + 4] = (ib * n + id) * 5; offs[6 * k + 5] = (ib * n + ic) * 5;
  }
  for (let i = 0; i < pStar; i++) for (let j = 0; j < pStar; j++) C[(p + i) * n + p + j] = P[i * pStar + j];

  const moments = (Q: ArrayLike<number>, M: ArrayLike<number>, mean: Float64Array, cov: Float64Array, etaNow = eta) => {
    const c = (-2 * etaNow) / p;
    wQ[1] = 2 * c; wQ[2] = c * c; wM[1] = c;
    for (let i = 0; i < p; i++) {
      for (let j = 0; j < p; j++) C[i * n + j] = Q[i * p + j];
      for (let j = 0; j < pStar; j++) C[i * n + p + j] = C[(p + j) * n + i] = M[i * pStar + j];
    }
    // CA scales column j by A_jj.
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) CA[i * n + j] = C[i * n + j] * Adiag[j];
    // S_0 = C, S_i = 2 CA S_{i−1}; tr((CA)^m) = tr(CA S_{m−1})/2^{m−1} (S_{m−1} = 2^{m−1}(CA)^{m−1}C, and A C… cycles).
    // S_u[ab] is kept at sv[(a n + b)·5 + u] (the layout the covariance loop reads, below).
    for (let ab = 0; ab < nn; ab++) sv[ab * 5] = C[ab];
    if (kernel) kernel.powers();
    else {
      // S_i = 2^i CACA…C is symmetric: the upper triangle, mirrored; S_{m−1}[lj] read as S_{m−1}[jl].
      for (let m = 1; m <= R; m++) {
        for (let i = 0; i < n; i++) {
          const ri = i * n;
          for (let j = i; j < n; j++) {
            let s = 0;
            for (let l = 0, pl = j * n * 5 + m - 1; l < n; l++, pl += 5) s += CA[ri + l] * sv[pl];
            sv[(ri + j) * 5 + m] = sv[(j * n + i) * 5 + m] = 2 * s;
          }
        }
      }
    }
    // tr((CA)^m) = tr(S_{m−1} A) / 2^{m−1}, so g_m = 2^{m−1} tr((CA)^m)/m = tr(S_{m−1} A)/m   (6)
    for (let m = 1; m <= R; m++) {
      let t = 0;
      for (let i = 0; i < n; i++) t += sv[(i * n + i) * 5 + m - 1] * Adiag[i];
      g[m] = t / m;
    }
    d[0] = 1;
    for (let r = 1; r <= R; r++) {
      let s = 0;
      for (let m = 1; m <= r; m++) s += m * g[m] * d[r - m];
      d[r] = s / r;
    }
    for (let r = 0; r <= R; r++) for (let u = 0; u <= R; u++) {
      let s = 0;
      for (let rp = u; rp <= r; rp++) s += K[r][rp] * fact[rp] * d[rp - u];
      coef[r][u] = s;
    }
    WQQ.fill(0); WQM.fill(0); WMM.fill(0); mQ.fill(0); mM.fill(0);
    for (let r1 = 0; r1 <= 2; r1++) {
      for (let u = 0; u <= R; u++) { mQ[u] += wQ[r1] * coef[r1][u]; mM[u] += wM[r1] * coef[r1][u]; }
      for (let r2 = 0; r2 <= 2; r2++) for (let u = 0; u <= R; u++) {
        const cf = coef[r1 + r2][u];
        WQQ[u] += wQ[r1] * wQ[r2] * cf; WQM[u] += wQ[r1] * wM[r2] * cf; WMM[u] += wM[r1] * wM[r2] * cf;
      }
    }
    if (kernel) { kernel.covariance(); if (mean !== kernel.mean) { mean.set(kernel.mean); cov.set(kernel.cov); } return; }
    // t^W_ab[i] = Σ_j W[i+j] S_j[ab] for the three weight pairs, so that each entry of (8) summed
    // over i, j is three dot products of length 5 (R = 4 written out, j ascending as a loop would).
    const q0 = WQQ[0], q1 = WQQ[1], q2 = WQQ[2], q3 = WQQ[3], q4 = WQQ[4];
    const h0 = WQM[0], h1 = WQM[1], h2 = WQM[2], h3 = WQM[3], h4 = WQM[4];
    const m0 = WMM[0], m1 = WMM[1], m2 = WMM[2], m3 = WMM[3], m4 = WMM[4];
    for (let ia = 0; ia < n; ia++) for (let ib = ia; ib < n; ib++) {
      const ab = (ia * n + ib) * 5, ba = (ib * n + ia) * 5, o1 = nn * 5, o2 = 2 * nn * 5;
      const v0 = sv[ab], v1 = sv[ab + 1], v2 = sv[ab + 2], v3 = sv[ab + 3], v4 = sv[ab + 4];
      tw[ab] = tw[ba] = 0 + q0 * v0 + q1 * v1 + q2 * v2 + q3 * v3 + q4 * v4;
      tw[ab + 1] = tw[ba + 1] = 0 + q1 * v0 + q2 * v1 + q3 * v2 + q4 * v3;
      tw[ab + 2] = tw[ba + 2] = 0 + q2 * v0 + q3 * v1 + q4 * v2;
      tw[ab + 3] = tw[ba + 3] = 0 + q3 * v0 + q4 * v1;
      tw[ab + 4] = tw[ba + 4] = 0 + q4 * v0;
      tw[o1 + ab] = tw[o1 + ba] = 0 + h0 * v0 + h1 * v1 + h2 * v2 + h3 * v3 + h4 * v4;
      tw[o1 + ab + 1] = tw[o1 + ba + 1] = 0 + h1 * v0 + h2 * v1 + h3 * v2 + h4 * v3;
      tw[o1 + ab + 2] = tw[o1 + ba + 2] = 0 + h2 * v0 + h3 * v1 + h4 * v2;
      tw[o1 + ab + 3] = tw[o1 + ba + 3] = 0 + h3 * v0 + h4 * v1;
      tw[o1 + ab + 4] = tw[o1 + ba + 4] = 0 + h4 * v0;
      tw[o2 + ab] = tw[o2 + ba] = 0 + m0 * v0 + m1 * v1 + m2 * v2 + m3 * v3 + m4 * v4;
      tw[o2 + ab + 1] = tw[o2 + ba + 1] = 0 + m1 * v0 + m2 * v1 + m3 * v2 + m4 * v3;
      tw[o2 + ab + 2] = tw[o2 + ba + 2] = 0 + m2 * v0 + m3 * v1 + m4 * v2;
      tw[o2 + ab + 3] = tw[o2 + ba + 3] = 0 + m3 * v0 + m4 * v1;
      tw[o2 + ab + 4] = tw[o2 + ba + 4] = 0 + m4 * v0;
    }
    for (let x = 0; x < dim; x++) {
      const ax = a[x] * n + b[x], mw = isQ[x] ? mQ : mM;
      let s = 0;
      for (let u = 0; u <= R; u++) s += mw[u] * sv[ax * 5 + u];
      mean[x] = s;
    }
    for (let x = 0, k = 0; x < dim; x++) {
      const mx = mean[x];
      for (let y = x; y < dim; y++, k++) {
        // W[i+j] is symmetric in (i, j), so which factor carries t does not matter.
        const o = 6 * k, ab = offs[o], ac = offs[o + 1], ad = offs[o + 2], cd = offs[o + 3], bd = offs[o + 4], bc = offs[o + 5];
        // R = 4: the five terms written out (the loop is the SDE's hot spot).
        const s =
          tw[ab] * sv[cd] + tw[ac] * sv[bd] + tw[ad] * sv[bc] +
          tw[ab + 1] * sv[cd + 1] + tw[ac + 1] * sv[bd + 1] + tw[ad + 1] * sv[bc + 1] +
          tw[ab + 2] * sv[cd + 2] + tw[ac + 2] * sv[bd + 2] + tw[ad + 2] * sv[bc + 2] +
          tw[ab + 3] * sv[cd + 3] + tw[ac + 3] * sv[bd + 3] + tw[ad + 3] * sv[bc + 3] +
          tw[ab + 4] * sv[cd + 4] + tw[ac + 4] * sv[bd + 4] + tw[ad + 4] * sv[bc + 4];
        cov[x * dim + y] = cov[y * dim + x] = s - mx * mean[y];
      }
    }
  };
  const ownMean = kernel?.mean ?? new Float64Array(dim), ownCov = kernel?.cov ?? new Float64Array(dim * dim);
  const L = kernel?.L ?? new Float64Array(dim * dim);
  const factor = (Q: ArrayLike<number>, M: ArrayLike<number>, etaNow = eta) => {
    moments(Q, M, ownMean, ownCov, etaNow);
    let dmax = 0;
    for (let i = 0; i < dim; i++) dmax = Math.max(dmax, ownCov[i * dim + i]);
    if (kernel) kernel.cholesky(1e-14 * dmax);
    else cholesky(ownCov, dim, L, 1e-14 * dmax, true);
    return L;
  };
  return { layout, moments, factor };
}

interface SdeKernelExports {
  powers(CA: number, sv: number, n: number): void;
  covariance(sv: number, tw: number, W: number, mw: number, a: number, b: number, isQ: number, offs: number, mean: number, cov: number, n: number, dim: number): void;
  cholesky(A: number, L: number, n: number, tol: number): void;
}

let compiled: WebAssembly.Module | null | undefined;

/**
 * The loops of `moments` in WebAssembly (wasm/sdeKernel.ts, same bits as the JavaScript), with
 * the work arrays as views of its memory; null where WebAssembly is missing (the JavaScript runs).
 */
function sdeKernel(n: number, dim: number, npairs: number) {
  if (compiled === undefined) {
    try { compiled = new WebAssembly.Module(Uint8Array.from(atob(SDE_KERNEL_BASE64), (c) => c.charCodeAt(0))); } catch { compiled = null; }
  }
  if (!compiled) return null;
  const nn = n * n;
  // Sizes in bytes, each block 16-byte aligned: CA, sv, tw, W, mw, a, b, isQ, offs, mean, cov, L.
  const sizes = [8 * nn, 40 * nn, 120 * nn, 8 * 15, 8 * 10, 4 * dim, 4 * dim, dim, 24 * npairs, 8 * dim, 8 * dim * dim, 8 * dim * dim];
  const at: number[] = [];
  let top = 0;
  for (const z of sizes) { at.push(top); top += Math.ceil(z / 16) * 16; }
  let memory: WebAssembly.Memory, k: SdeKernelExports;
  try {
    memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(top / 65536)) });
    k = new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as SdeKernelExports;
  } catch {
    return null;
  }
  const f64 = (i: number) => new Float64Array(memory.buffer, at[i], sizes[i] / 8);
  return {
    CA: f64(0), sv: f64(1), tw: f64(2), W: f64(3), mw: f64(4),
    a: new Int32Array(memory.buffer, at[5], dim), b: new Int32Array(memory.buffer, at[6], dim), isQ: new Uint8Array(memory.buffer, at[7], dim),
    offs: new Int32Array(memory.buffer, at[8], 6 * npairs), mean: f64(9), cov: f64(10), L: f64(11),
    cholesky: (tol: number) => k.cholesky(at[10], at[11], dim, tol),
    powers: () => k.powers(at[0], at[1], n),
    covariance: () => k.covariance(at[1], at[2], at[3], at[4], at[5], at[6], at[7], at[8], at[9], at[10], n, dim),
  };
}
