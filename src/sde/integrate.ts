/**
 * Integration of the stochastic overlap dynamics dX = F(X) dα + N^{-1/2} B(X) dW_α of the quadratic
 * network (noise: ./quadraticNoise.ts, eq. (4) there), X = (Q, M), P fixed.
 *
 * Scheme: Euler–Maruyama with a fixed α-step h (shortened to land on the save times), written in
 * the variables (Q⊥, M), Q⊥ = Q − M P⁻¹ Mᵀ, as src/ode/quadratic.ts integrates the ODE:
 *   ΔM  = F_M h + δM,   (δQ, δM) = √(h/N) L ξ,  L Lᵀ = Cov Z,  ξ ~ N(0, I_D)                    (1)
 *   Q⊥' = Q⊥ + f⊥ h + δQ − δM P⁻¹Mᵀ − M P⁻¹δMᵀ − ΔM P⁻¹ΔMᵀ                                   (2)
 * with f⊥ = F_Q − F_M P⁻¹Mᵀ − M P⁻¹F_Mᵀ the (Q⊥, M) drift of quadratic.ts. (2) is exactly
 * Q' − M'P⁻¹M'ᵀ for the Euler–Maruyama step (Q', M') of X, so the Itô correction of the change of
 * variables (the mean of ΔM P⁻¹ΔMᵀ, = (h/N) E-cov of Z^M P⁻¹ Z^Mᵀ) is included, and the loss is
 * read in the cancellation-free (Q⊥, M) form. After each step Q⊥ is projected onto the positive
 * semidefinite cone (negative eigenvalues set to 0; only when its Cholesky factorisation fails),
 * so Q − M P⁻¹ Mᵀ ⪰ 0 always: the overlaps stay those of real weights.
 *
 * Order: the noise is multiplicative and not commutative, so Euler–Maruyama has strong order ½
 * and weak order 1 in h (a Milstein scheme would need the Lévy areas). What the ensembles compare
 * is distributions, i.e. the weak order; the step's error is measured in the tests by halving h.
 * Cost per unit α: 1/h evaluations of the drift and of the D×D covariance (D = p(p+1)/2 + p p*),
 * independent of N.
 */
import { Matrix, EigenvalueDecomposition } from 'ml-matrix';
import { quadraticPerpForm } from '../ode/quadratic.js';
import { quadraticNoise, cholesky } from './quadraticNoise.js';
import type { Trajectory, SdeStats } from '../model/trajectory.js';
import type { Overlaps } from '../model/overlaps.js';
import { divergenceCheck, divergenceMessage } from '../dynamics/divergence.js';
import { ConfigError } from '../model/errors.js';
import type { Rng } from '../random/rng.js';

export interface SdeSetup {
  readonly p: number;
  readonly pStar: number;
  /** The effective rate (η/n_b for a mini-batch of n_b: ./ensemble.ts derives why), at α = 0. */
  readonly eta: number;
  /**
   * A time-dependent effective rate η(α)/n_b: the step from α uses its value at α (the step's
   * start, as SGD's step does), for drift and noise alike; absent for a constant rate.
   */
  readonly etaAt?: (alpha: number) => number;
  /** Where a piecewise η jumps: each is a step boundary (no step straddles a jump). */
  readonly jumps?: readonly number[];
  readonly noise: number;
  readonly weightDecay?: number;
  /** Input dimension: the noise scale N^{-1/2}. */
  readonly N: number;
  /** Euler–Maruyama step in α. */
  readonly step: number;
}

/** Cholesky factor (in ./quadraticNoise.ts, next to the noise factor that uses it most). */
export { cholesky } from './quadraticNoise.js';

/** Is the symmetric p×p matrix S positive semidefinite, to a relative 10⁻¹⁵ of its diagonal? */
export function isPsd(S: Float64Array, p: number, work: Float64Array): boolean {
  let scale = 0;
  for (let i = 0; i < p; i++) scale = Math.max(scale, Math.abs(S[i * p + i]));
  // S + shift·I positive definite ⇔ S ⪰ −shift·I: factor S with pivots compared to −shift.
  // `work` holds 2p²: the shifted copy of S, then its factor (S itself is left untouched).
  const shift = 1e-300 + 1e-15 * scale, copy = work.subarray(0, p * p);
  copy.set(S);
  for (let i = 0; i < p; i++) copy[i * p + i] += shift;
  return cholesky(copy, p, work.subarray(p * p, 2 * p * p), 0, false);
}

/** Replaces S (symmetric p×p) by its projection onto the PSD cone: V max(Λ, 0) Vᵀ. */
export function projectPsd(S: Float64Array, p: number): void {
  const m = new Matrix(p, p);
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) m.set(i, j, 0.5 * (S[i * p + j] + S[j * p + i]));
  const eig = new EigenvalueDecomposition(m, { assumeSymmetric: true });
  const V = eig.eigenvectorMatrix, lam = eig.realEigenvalues;
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) {
    let s = 0;
    for (let k = 0; k < p; k++) if (lam[k] > 0) s += V.get(i, k) * lam[k] * V.get(j, k);
    S[i * p + j] = s;
  }
}

/**
 * One SDE run from overlaps `initial`, saved at `saveAt` (the first save time may be 0), with the
 * Brownian increments drawn from `rng` (the caller's stream, e.g. (seed, 'sdeNoise', run)).
 */
export function simulateSde(setup: SdeSetup, initial: Overlaps, saveAt: ArrayLike<number>, rng: Rng): Trajectory<SdeStats> {
  const { p, pStar: ps, eta, noise, N, step } = setup;
  if (!(step > 0 && Number.isFinite(step))) throw new ConfigError('sdeStep', `must be a finite number > 0 (the SDE's α-step; got ${step})`);
  const P = Float64Array.from(initial.P);
  const { etaAt } = setup, jumps = setup.jumps ?? [];
  const perp = quadraticPerpForm({ p, pStar: ps, eta, noise, P, weightDecay: setup.weightDecay, ...(etaAt ? { etaAt } : {}) });
  if (!perp) throw new ConfigError('init', 'the SDE needs a positive-definite teacher overlap P (it integrates Q⊥ = Q − M P⁻¹ Mᵀ)');
  const nz = quadraticNoise(p, ps, eta, noise, P);
  const { dim: D, a, b, isQ } = nz.layout;
  const pp = p * p, size = pp + p * ps;
  // P⁻¹ (through the (Q⊥, M) form: K = M P⁻¹ Mᵀ of a unit M would do, but invert directly, once).
  const Pinv = invertSmall(P, ps);
  const y = perp.toPerp(initial.Q, initial.M);
  // Views made once: a subarray per step costs as much as a small product.
  const yQ = y.subarray(0, pp), yM = y.subarray(pp, size);
  const work = new Float64Array(2 * pp);
  if (!isPsd(yQ, p, work)) projectPsd(yQ, p);
  const f = new Float64Array(size), Q = new Float64Array(pp);
  const xi = new Float64Array(D), delta = new Float64Array(D);
  const dQ = new Float64Array(pp), dM = new Float64Array(p * ps), DM = new Float64Array(p * ps), MPi = new Float64Array(p * ps), DMPi = new Float64Array(p * ps);
  const check = divergenceCheck(initial);
  const alpha: number[] = [], loss: number[] = [], Qs: Float64Array[] = [], Ms: Float64Array[] = [];
  let t = 0, steps = 0, projections = 0, nextJump = 0;
  let status: Trajectory['status'] = 'completed';
  let message = '';
  let divergedAt: number | undefined;
  const save = (at: number) => {
    const Qv = perp.toQ(y);
    const reason = check(at, Qv);
    if (reason !== null) { status = 'diverged'; message = divergenceMessage(reason); divergedAt = reason.alpha; return false; }
    alpha.push(at); Qs.push(Qv); Ms.push(y.slice(pp, size));
    loss.push(Math.max(perp.lossAndFloor(y).loss, 0));
    return true;
  };
  outer: for (let s = 0; s < saveAt.length; s++) {
    const target = saveAt[s];
    while (t < target) {
      // The step ends at the save time or at the next jump of η, whichever comes first.
      while (nextJump < jumps.length && jumps[nextJump] <= t) nextJump++;
      const stop = nextJump < jumps.length && jumps[nextJump] < target ? jumps[nextJump] : target;
      const h = Math.min(step, stop - t);
      Q.set(perp.viewQ(y));
      perp.rhs(y, f, t);
      const L = nz.factor(Q, yM, etaAt ? etaAt(t) : eta);
      rng.fillGaussian(xi);
      const sc = Math.sqrt(h / N);
      for (let i = 0; i < D; i++) {
        let v = 0;
        for (let k = 0; k <= i; k++) v += L[i * D + k] * xi[k];
        delta[i] = sc * v;
      }
      for (let i = 0; i < D; i++) {
        if (isQ[i]) dQ[a[i] * p + b[i]] = dQ[b[i] * p + a[i]] = delta[i];
        else dM[a[i] * ps + (b[i] - p)] = delta[i];
      }
      // (2): MP⁻¹, ΔM = F_M h + δM and ΔM P⁻¹
      for (let i = 0; i < p * ps; i++) DM[i] = f[pp + i] * h + dM[i];
      for (let i = 0; i < p; i++) for (let j = 0; j < ps; j++) {
        let s1 = 0, s2 = 0;
        for (let l = 0; l < ps; l++) { s1 += y[pp + i * ps + l] * Pinv[l * ps + j]; s2 += DM[i * ps + l] * Pinv[l * ps + j]; }
        MPi[i * ps + j] = s1; DMPi[i * ps + j] = s2;
      }
      for (let i = 0; i < p; i++) for (let j = i; j < p; j++) {
        let cross = 0, quad = 0;
        for (let l = 0; l < ps; l++) {
          cross += dM[i * ps + l] * MPi[j * ps + l] + MPi[i * ps + l] * dM[j * ps + l];
          quad += DMPi[i * ps + l] * DM[j * ps + l];
        }
        const v = y[i * p + j] + f[i * p + j] * h + dQ[i * p + j] - cross - quad;
        y[i * p + j] = y[j * p + i] = v;
      }
      for (let i = 0; i < p * ps; i++) y[pp + i] += DM[i];
      t = h === stop - t ? stop : t + h;
      steps++;
      // A blow-up first: the eigendecomposition of the projection needs finite entries.
      let sum = 0;
      for (let i = 0; i < size; i++) sum += y[i] * 0;
      if (sum !== 0) { status = 'diverged'; message = `the overlaps are no longer finite at α = ${t}`; divergedAt = t; break outer; }
      if (!isPsd(yQ, p, work)) { projectPsd(yQ, p); projections++; }
    }
    if (!save(target)) break;
  }
  if (status === 'completed') message = `reached α = ${alpha[alpha.length - 1] ?? 0}`;
  return {
    solver: 'sde', p, pStar: ps, alpha: Float64Array.from(alpha), loss: Float64Array.from(loss), Q: Qs, M: Ms, P,
    status, message, ...(divergedAt !== undefined ? { divergedAt } : {}), stats: { steps, N, projections },
  };
}

/** Inverse of a small SPD matrix (Gauss–Jordan; P is p*×p*, validated positive definite by the (Q⊥, M) form). */
export function invertSmall(A: Float64Array, n: number): Float64Array {
  const m = Float64Array.from(A), inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) inv[i * n + i] = 1;
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r * n + c]) > Math.abs(m[piv * n + c])) piv = r;
    for (let k = 0; k < n; k++) {
      [m[c * n + k], m[piv * n + k]] = [m[piv * n + k], m[c * n + k]];
      [inv[c * n + k], inv[piv * n + k]] = [inv[piv * n + k], inv[c * n + k]];
    }
    const d = m[c * n + c];
    for (let k = 0; k < n; k++) { m[c * n + k] /= d; inv[c * n + k] /= d; }
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const fct = m[r * n + c];
      if (fct === 0) continue;
      for (let k = 0; k < n; k++) { m[r * n + k] -= fct * m[c * n + k]; inv[r * n + k] -= fct * inv[c * n + k]; }
    }
  }
  return inv;
}
