/**
 * Euler–Maruyama for the stochastic overlap dynamics of any committee, in (Q, M[, v]) with P
 * fixed: the drift is the ODE's right-hand side (src/ode/solve.ts `overlapRhs`: closed forms for
 * erf, linear and square, quadrature for relu; batch size and η(α) through src/ode/protocol.ts),
 * the noise the unbiased sampled estimate of ./sampledNoise.ts (2):
 *   X' = X + F(X, α) h + δ,   E[δ δᵀ | X] = (h/N) Cov Z(X).                                      (1)
 * After each step Q⊥ = Q − M P⁻¹ Mᵀ is projected onto the positive semidefinite cone when it has
 * left it (Q ← Q⊥⁺ + M P⁻¹ Mᵀ; M and v unchanged), so the overlaps stay those of real weights and
 * the next step's C = [[Q, M], [Mᵀ, P]] can be sampled. Weak order 1 in h as ./integrate.ts; a
 * piecewise η's jumps are step boundaries, the drift's rates those of the piece (protocol.ts).
 * Unlike the quadratic path (./integrate.ts, (Q⊥, M)), the loss is read from (Q, M[, v]) with the
 * generic path's rounding floor (src/ode/committee.ts), which only matters far below the noise.
 */
import type { Network } from '../model/network.js';
import type { Overlaps } from '../model/overlaps.js';
import type { Trajectory, SdeStats } from '../model/trajectory.js';
import type { OverlapRhs } from '../ode/equations.js';
import { committeeLossAndFloor } from '../ode/committee.js';
import { divergenceCheck, divergenceMessage } from '../dynamics/divergence.js';
import type { Rng } from '../random/rng.js';
import { ConfigError } from '../model/errors.js';
import { isPsd, projectPsd, invertSmall } from './integrate.js';
import { sampledNoise, SAMPLES } from './sampledNoise.js';

export interface SampledSdeSetup {
  readonly p: number;
  readonly pStar: number;
  readonly network: Network;
  /** Label-noise variance Δ. */
  readonly noise: number;
  /** Is the student's second layer trained (state (Q, M, v))? */
  readonly train: boolean;
  /** The ODE's right-hand side on the piece of the schedule that starts at `from`. */
  readonly rhsFrom: (from: number) => OverlapRhs;
  /** The effective rates (η(α)/n_b, η_v(α)/n_b) of the step from α. */
  readonly ratesAt: (alpha: number) => { readonly eta: number; readonly etaV: number };
  /** Where a piecewise η jumps (step boundaries; the drift is rebuilt there). */
  readonly jumps: readonly number[];
  readonly N: number;
  readonly step: number;
  /** Samples of Z per step (./sampledNoise.ts). */
  readonly samples?: number;
}

export function simulateSampledSde(setup: SampledSdeSetup, initial: Overlaps, v0: ArrayLike<number>, saveAt: ArrayLike<number>, rng: Rng): Trajectory<SdeStats> {
  const { p, pStar: ps, N, step, train, jumps, network } = setup;
  if (!(step > 0 && Number.isFinite(step))) throw new ConfigError('sdeStep', `must be a finite number > 0 (the SDE's α-step; got ${step})`);
  const P = Float64Array.from(initial.P);
  const Pinv = invertSmall(P, ps);
  if (!Pinv.every(Number.isFinite)) throw new ConfigError('init', 'the SDE needs a positive-definite teacher overlap P');
  const pp = p * p, offV = pp + p * ps, size = offV + (train ? p : 0);
  const nz = sampledNoise(network, ps, setup.noise, P, train, setup.samples ?? SAMPLES);
  const nQ = (p * (p + 1)) / 2;
  const y = new Float64Array(size);
  y.set(initial.Q, 0); y.set(initial.M, pp);
  const v = train ? y.subarray(offV, size) : Float64Array.from(v0);
  if (train) v.set(v0);
  const f = new Float64Array(size), delta = new Float64Array(nz.dim), K = new Float64Array(pp), Qp = new Float64Array(pp), MPi = new Float64Array(p * ps);
  const work = new Float64Array(2 * pp);
  const check = divergenceCheck(initial);
  const alpha: number[] = [], loss: number[] = [], Qs: Float64Array[] = [], Ms: Float64Array[] = [], Vs: Float64Array[] = [];
  let t = 0, steps = 0, projections = 0, nextJump = 0;
  let rhs = setup.rhsFrom(0);
  let status: Trajectory['status'] = 'completed';
  let message = '';
  let divergedAt: number | undefined;
  /** Q ← (Q − M P⁻¹ Mᵀ)⁺ + M P⁻¹ Mᵀ when Q⊥ has a negative eigenvalue; true if it had. */
  const keepPsd = (): boolean => {
    for (let i = 0; i < p; i++) for (let j = 0; j < ps; j++) {
      let s = 0;
      for (let l = 0; l < ps; l++) s += y[pp + i * ps + l] * Pinv[l * ps + j];
      MPi[i * ps + j] = s;
    }
    for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) {
      let s = 0;
      for (let l = 0; l < ps; l++) s += MPi[i * ps + l] * y[pp + j * ps + l];
      K[i * p + j] = s;
      Qp[i * p + j] = y[i * p + j] - s;
    }
    if (isPsd(Qp, p, work)) return false;
    projectPsd(Qp, p);
    for (let i = 0; i < pp; i++) y[i] = Qp[i] + K[i];
    return true;
  };
  if (keepPsd()) projections++;
  const save = (at: number) => {
    const Qv = y.slice(0, pp);
    const reason = check(at, Qv);
    if (reason !== null) { status = 'diverged'; message = divergenceMessage(reason); divergedAt = reason.alpha; return false; }
    const M = y.slice(pp, offV);
    alpha.push(at); Qs.push(Qv); Ms.push(M);
    if (train) Vs.push(Float64Array.from(v));
    loss.push(Math.max(committeeLossAndFloor({ p, pStar: ps, Q: Qv, M, P }, train ? { ...network, v: Float64Array.from(v) } : network, setup.noise).loss, 0));
    return true;
  };
  outer: for (let s = 0; s < saveAt.length; s++) {
    const target = saveAt[s];
    while (t < target) {
      // A jump of η already passed: the drift of the new piece (its rates are constant on it).
      let passed = false;
      while (nextJump < jumps.length && jumps[nextJump] <= t) { nextJump++; passed = true; }
      if (passed) rhs = setup.rhsFrom(t);
      const stop = nextJump < jumps.length && jumps[nextJump] < target ? jumps[nextJump] : target;
      const h = Math.min(step, stop - t);
      rhs(y, f, t);
      const rates = setup.ratesAt(t);
      nz.draw(y.subarray(0, pp), y.subarray(pp, offV), v, rates.eta, rates.etaV, Math.sqrt(h / N), rng, delta);
      for (let i = 0; i < size; i++) y[i] += f[i] * h;
      let x = 0;
      for (let k = 0; k < p; k++) for (let l = k; l < p; l++, x++) {
        y[k * p + l] += delta[x];
        if (l !== k) y[l * p + k] += delta[x];
      }
      for (let i = 0; i < p * ps; i++) y[pp + i] += delta[nQ + i];
      if (train) for (let k = 0; k < p; k++) y[offV + k] += delta[nQ + p * ps + k];
      t = h === stop - t ? stop : t + h;
      steps++;
      let sum = 0;
      for (let i = 0; i < size; i++) sum += y[i] * 0;
      if (sum !== 0) { status = 'diverged'; message = `the overlaps are no longer finite at α = ${t}`; divergedAt = t; break outer; }
      if (keepPsd()) projections++;
    }
    if (!save(target)) break;
  }
  if (status === 'completed') message = `reached α = ${alpha[alpha.length - 1] ?? 0}`;
  return {
    solver: 'sde', p, pStar: ps, alpha: Float64Array.from(alpha), loss: Float64Array.from(loss), Q: Qs, M: Ms, P,
    ...(train ? { v: Vs } : {}),
    status, message, ...(divergedAt !== undefined ? { divergedAt } : {}), stats: { steps, N, projections },
  };
}
