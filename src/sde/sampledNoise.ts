/**
 * The noise of the stochastic overlap dynamics for any committee (erf, relu, linear, square with
 * any readout; trained second layer included), by an unbiased Monte-Carlo estimate of its
 * covariance drawn afresh at every step.
 *
 * One SGD sample (src/sim/sgd.ts, batch 1 at rate η; a mini-batch is η/n_b: ./ensemble.ts) with
 * z = (λ, ν) ~ N(0, C), ζ ~ N(0, 1), e = Σ_k v_k σ(λ_k) − Σ_j v*_j σ*(ν_j) − √Δ ζ changes the
 * overlaps by Z/N with, to leading order in 1/N (as ./quadraticNoise.ts (2)–(3), |x|²/N → 1),
 *   a_k = −η v_k e σ'(λ_k),   Z^Q_kl = a_k λ_l + a_l λ_k + a_k a_l,   Z^M_kj = a_k ν_j,
 *   Z^v_k = −η_v e σ(λ_k)   (trained second layer: v ← v − (η_v/N) e σ(λ)).                    (1)
 * E Z is the ODE's drift (src/ode/equations.ts), and the SDE's noise over a step h is a centred
 * Gaussian of covariance (h/N) Cov Z (./integrate.ts (1)). Cov Z has no closed form here, so each
 * step draws S samples Z_1…Z_S of (1) at the current overlaps and S standard normals g_s, and takes
 *   δ = √(h/N) (S − 1)^{-1/2} Σ_s (Z_s − Z̄) g_s.                                              (2)
 * Given the samples, δ ~ N(0, (h/N) Ĉ) with Ĉ = Σ_s (Z_s − Z̄)(Z_s − Z̄)ᵀ/(S − 1) the unbiased
 * sample covariance, so E[δ δᵀ] = (h/N) Cov Z exactly, whatever S: the estimate is unbiased and
 * the SDE's covariance is right on average at every step. Its error, the fluctuation of Ĉ about
 * Cov Z (relative O(S^{-1/2})), is independent between steps and enters only through the fourth
 * moments of δ (odd moments vanish, g being symmetric): E[δ⊗4] exceeds the Gaussian's by
 * (h/N)² Var Ĉ, a weak error of O(h/(N² S)) per unit α, below Euler–Maruyama's own O(h) and the
 * O(1/N) terms the SDE neglects by a factor 1/(N S). So S is a cost knob, not an accuracy one:
 * S = SAMPLES below. (Averaging over steps is what makes one sample enough in principle: SGD is (2)
 * with S = 1, h = 1/N and no g.)
 *
 * Coordinates: the upper triangle of Q (row by row), M row-major, then v (trained second layer);
 * the first two as ./quadraticNoise.ts's `noiseLayout`.
 */
import type { Network } from '../model/network.js';
import type { Rng } from '../random/rng.js';
import { noiseLayout } from './quadraticNoise.js';
import { cholesky } from './integrate.js';

/** Samples of Z per step (see the header: the estimate is unbiased at any S ≥ 2; S sets only O(h/(N²S)) weak error). */
export const SAMPLES = 8;

export interface SampledNoise {
  /** Number of noise coordinates D = p(p+1)/2 + p p* (+ p with a trained second layer). */
  readonly dim: number;
  /**
   * Fills `out` (length D) with δ of (2) at overlaps (Q, M), second layer v, rates η and η_v,
   * scale = √(h/N), drawing from `rng` (C's factor, then per sample n + 1 normals, then S for g).
   */
  readonly draw: (Q: ArrayLike<number>, M: ArrayLike<number>, v: ArrayLike<number>, eta: number, etaV: number, scale: number, rng: Rng, out: Float64Array) => void;
}

export function sampledNoise(net: Network, pStar: number, noise: number, P: ArrayLike<number>, train: boolean, samples = SAMPLES): SampledNoise {
  const p = net.v.length, n = p + pStar, nQ = (p * (p + 1)) / 2;
  const { a: ia, b: ib } = noiseLayout(p, pStar);
  const dim = nQ + p * pStar + (train ? p : 0);
  const S = samples;
  if (!(Number.isInteger(S) && S >= 2)) throw new RangeError(`samples must be an integer ≥ 2 (got ${S})`);
  const C = new Float64Array(n * n), L = new Float64Array(n * n), u = new Float64Array(n), z = new Float64Array(n);
  const Z = new Float64Array(S * dim), mean = new Float64Array(dim), g = new Float64Array(S), a = new Float64Array(p);
  const sigma = net.student.sigma, dsigma = net.student.dsigma, sigmaStar = net.teacher.sigma, vStar = net.vStar;
  const sqrtNoise = Math.sqrt(noise);
  for (let i = 0; i < pStar; i++) for (let j = 0; j < pStar; j++) C[(p + i) * n + p + j] = P[i * pStar + j];
  let cmax = 0;
  for (let i = 0; i < pStar; i++) cmax = Math.max(cmax, P[i * pStar + i]);

  const draw = (Q: ArrayLike<number>, M: ArrayLike<number>, v: ArrayLike<number>, eta: number, etaV: number, scale: number, rng: Rng, out: Float64Array) => {
    let dmax = cmax;
    for (let i = 0; i < p; i++) {
      for (let j = 0; j < p; j++) C[i * n + j] = Q[i * p + j];
      for (let j = 0; j < pStar; j++) C[i * n + p + j] = C[(p + j) * n + i] = M[i * pStar + j];
      dmax = Math.max(dmax, Q[i * p + i]);
    }
    // C is PSD (the integrator keeps Q − M P⁻¹ Mᵀ ⪰ 0): its factor with negligible pivots taken as 0.
    cholesky(C, n, L, 1e-14 * dmax, true);
    mean.fill(0);
    for (let s = 0; s < S; s++) {
      rng.fillGaussian(u);
      for (let i = 0; i < n; i++) {
        let t = 0;
        for (let k = 0; k <= i; k++) t += L[i * n + k] * u[k];
        z[i] = t;
      }
      let e = noise > 0 ? -sqrtNoise * rng.gaussian() : 0;
      for (let k = 0; k < p; k++) e += v[k] * sigma(z[k]);
      for (let j = 0; j < pStar; j++) e -= vStar[j] * sigmaStar(z[p + j]);
      for (let k = 0; k < p; k++) a[k] = -eta * v[k] * e * dsigma(z[k]);
      const row = Z.subarray(s * dim, (s + 1) * dim);
      for (let x = 0; x < nQ; x++) { const k = ia[x], l = ib[x]; row[x] = a[k] * z[l] + a[l] * z[k] + a[k] * a[l]; }
      for (let x = nQ; x < nQ + p * pStar; x++) row[x] = a[ia[x]] * z[ib[x]];
      if (train) for (let k = 0; k < p; k++) row[nQ + p * pStar + k] = -etaV * e * sigma(z[k]);
      for (let x = 0; x < dim; x++) mean[x] += row[x] / S;
    }
    rng.fillGaussian(g);
    const c = scale / Math.sqrt(S - 1);
    out.fill(0);
    for (let s = 0; s < S; s++) {
      const gs = c * g[s], off = s * dim;
      for (let x = 0; x < dim; x++) out[x] += (Z[off + x] - mean[x]) * gs;
    }
  };
  return { dim, draw };
}
