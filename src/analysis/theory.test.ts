import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../model/config.js';
import { makeProblem, initialCondition } from '../model/problem.js';
import type { Overlaps } from '../model/overlaps.js';
import { solveOde } from '../ode/solve.js';
import { quadraticRhs } from '../ode/quadratic.js';
import { packState } from '../ode/equations.js';
import { Rng } from '../random/rng.js';
import { analyzeLossCurve } from './plateau.js';
import { isotropicSixthMoment, lossAtZero, normGrowthRate, sgdSaddle, alignmentRate, predictEscape, tailTheory, type TheorySetup } from './theory.js';

const identity = (n: number) => { const I = new Float64Array(n * n); for (let i = 0; i < n; i++) I[i * n + i] = 1; return I; };
const P2 = Float64Array.of(1.3, 0.2, 0.2, 0.8); // a non-orthonormal teacher: λ(P) = 0.7298, 1.3702

/** Least-squares slope of ln y on α over the points with α in [a, b]. */
function logSlope(alpha: ArrayLike<number>, y: ArrayLike<number>, a: number, b: number): number {
  const xs: number[] = [], ys: number[] = [];
  for (let i = 0; i < alpha.length; i++) if (alpha[i] >= a && alpha[i] <= b) { xs.push(alpha[i]); ys.push(Math.log(y[i])); }
  const n = xs.length, xm = xs.reduce((s, x) => s + x) / n, ym = ys.reduce((s, x) => s + x) / n;
  let sxy = 0, sxx = 0;
  for (let i = 0; i < n; i++) { sxy += (xs[i] - xm) * (ys[i] - ym); sxx += (xs[i] - xm) ** 2; }
  return sxy / sxx;
}

test('F(q) = E[e²λ_k²] at Q = qI, M = 0 matches Monte-Carlo within 4σ (p = 3, non-orthonormal teacher, label noise)', () => {
  const s: TheorySetup = { p: 3, pStar: 2, eta: 0.3, noise: 0.1, P: P2 };
  const q = 0.4, n = 400_000, rng = new Rng(18);
  // ν = L z with L Lᵀ = P (Cholesky of the 2×2 P).
  const l11 = Math.sqrt(P2[0]), l21 = P2[2] / l11, l22 = Math.sqrt(P2[3] - l21 * l21);
  let sum = 0, sum2 = 0;
  for (let i = 0; i < n; i++) {
    const l = [0, 0, 0].map(() => Math.sqrt(q) * rng.gaussian());
    const z1 = rng.gaussian(), z2 = rng.gaussian();
    const nu1 = l11 * z1, nu2 = l21 * z1 + l22 * z2;
    const e = (l[0] ** 2 + l[1] ** 2 + l[2] ** 2) / 3 - (nu1 * nu1 + nu2 * nu2) / 2 - Math.sqrt(s.noise) * rng.gaussian();
    const v = e * e * l[0] * l[0];
    sum += v; sum2 += v * v;
  }
  const mean = sum / n, se = Math.sqrt((sum2 / n - mean * mean) / n);
  const F = isotropicSixthMoment(s, q);
  assert.ok(Math.abs(mean - F) < 4 * se, `Monte-Carlo ${mean} ± ${se}, formula ${F}`);
});

test('the isotropic norm flow is the overlap ODE at Q = qI, M = 0, and vanishes at the SGD saddle (10⁻¹² relative)', () => {
  for (const s of [{ p: 4, pStar: 2, eta: 0.5, noise: 0, P: identity(2) }, { p: 3, pStar: 2, eta: 0.2, noise: 0.05, P: P2 }] as TheorySetup[]) {
    const { p, pStar, eta } = s;
    const T = (s.P[0] + s.P[pStar * pStar - 1]) / pStar;
    const rhs = quadraticRhs({ p, pStar, eta, noise: s.noise, P: s.P });
    const flow = (q: number) => ((4 * eta) / p) * (T - (q * (p + 2)) / p) * q + ((4 * eta * eta) / (p * p)) * isotropicSixthMoment(s, q);
    const at = (q: number) => {
      const Q = identity(p).map((x) => x * q);
      const dy = new Float64Array(p * p + p * pStar);
      rhs(packState({ p, pStar, Q, M: new Float64Array(p * pStar), P: s.P }), dy);
      return dy;
    };
    for (const q of [1e-3, 0.3, 1.1]) {
      const dy = at(q);
      assert.ok(Math.abs(dy[0] - flow(q)) < 1e-12 * Math.abs(flow(q)), `q = ${q}: ODE ${dy[0]}, flow ${flow(q)}`);
      assert.ok(Math.abs(dy[1]) < 1e-14, 'off-diagonal stays zero');
    }
    const sad = sgdSaddle(s)!;
    assert.ok(Math.abs(at(sad.q)[0]) < 1e-12 * flow(sad.q / 2), `dq/dα at q_s = ${sad.q}: ${at(sad.q)[0]}`);
    // η → 0: the gradient-flow saddle pT/(p + 2).
    const gf = sgdSaddle({ ...s, eta: 1e-9 })!;
    assert.ok(Math.abs(gf.q - (p * T) / (p + 2)) < 1e-8, `${gf.q}`);
  }
  // At p = p* = 2 the SGD saddle is marginal at η = 1/2 (q_s = 1, a double root) and gone above:
  // the norm runs away (the ODE diverges there).
  assert.ok(Math.abs(sgdSaddle({ p: 2, pStar: 2, eta: 0.5, noise: 0, P: identity(2) })!.q - 1) < 1e-6);
  assert.equal(sgdSaddle({ p: 2, pStar: 2, eta: 0.51, noise: 0, P: identity(2) }), null);
});

test('tr Q grows at normGrowthRate from W ≈ 0, measured on the ODE within 0.5 % (p = 4, p* = 2, η = 0.5 and p = 3 with a non-orthonormal teacher)', () => {
  for (const [p, eta, P] of [[4, 0.5, identity(2)], [3, 0.2, P2]] as const) {
    const s: TheorySetup = { p, pStar: 2, eta, noise: 0, P };
    const c = parseConfig({ p, pStar: 2, eta, N: 100_000, alphaMax: 12, init: { teacher: 'orthonormal', studentVariance: 1e-10, seed: 3 } });
    const init = { ...initialCondition(c).overlaps, P };
    const t = solveOde(makeProblem(c), init);
    const trQ = t.Q.map((Q) => { let x = 0; for (let i = 0; i < p; i++) x += Q[i * p + i]; return x; });
    const measured = logSlope(t.alpha, trQ, 1, 10);
    assert.ok(Math.abs(measured / normGrowthRate(s) - 1) < 5e-3, `p = ${p}: measured ${measured}, theory ${normGrowthRate(s)}`);
  }
});

test('‖M‖ leaves the SGD saddle at alignmentRate, measured on the ODE within 10⁻³ (and not at the gradient-flow rate 4ηλ₁/(p p*))', () => {
  for (const [p, eta, P] of [[4, 0.5, identity(2)], [3, 0.2, P2]] as const) {
    const pStar = 2, s: TheorySetup = { p, pStar, eta, noise: 0, P };
    const q = sgdSaddle(s)!.q;
    const rng = new Rng(7);
    const init: Overlaps = { p, pStar, Q: identity(p).map((x) => x * q), M: Float64Array.from({ length: p * pStar }, () => 1e-9 * rng.gaussian()), P };
    // Long enough for the top eigen-direction of P to dominate M (λ₁ − λ₂ = 0.64 for P2).
    const t = solveOde(makeProblem(parseConfig({ p, pStar, eta, alphaMax: 90 })), init);
    const norm = t.M.map((M) => Math.hypot(...M));
    const measured = logSlope(t.alpha, norm, 60, 90);
    const g = alignmentRate(s)!;
    assert.ok(Math.abs(measured / g - 1) < 1e-3, `p = ${p}: measured ${measured}, theory ${g}`);
    const lambda1 = P === P2 ? 1.3702 : 1;
    assert.ok(Math.abs(measured / ((4 * eta * lambda1) / (p * pStar)) - 1) > 0.05, 'the η² correction is visible');
  }
});

test('α_esc predicted from the initial overlaps is within 5 % of the measured escape for σ² = 10⁻²…10⁻¹⁰ and p = p*…8p* (p* = 2, η = 0.2; the target is 10 %)', () => {
  const pStar = 2, eta = 0.2;
  const errors: string[] = [];
  let worst = 0;
  for (const p of [1, 2, 4, 8].map((k) => k * pStar)) {
    for (const variance of [1e-2, 1e-4, 1e-6, 1e-8, 1e-10]) {
      const c = parseConfig({ p, pStar, eta, alphaMax: 20 * p + 40, savePoints: 600, init: { teacher: 'orthonormal', studentVariance: variance, seed: 0 } });
      const init = initialCondition(c).overlaps;
      const t = solveOde(makeProblem(c), init);
      const measured = analyzeLossCurve(t.alpha, t.loss);
      assert.ok(measured.escapeAlpha !== null, `p = ${p}, σ² = ${variance}: no escape measured`);
      const predicted = predictEscape({ p, pStar, eta, noise: 0, P: init.P }, init, measured.referenceLoss / 2);
      assert.ok(predicted, `p = ${p}, σ² = ${variance}: no prediction`);
      const err = predicted.alpha / measured.escapeAlpha - 1;
      worst = Math.max(worst, Math.abs(err));
      if (Math.abs(err) > 0.05) errors.push(`p = ${p}, σ² = ${variance}: predicted ${predicted.alpha}, measured ${measured.escapeAlpha}`);
    }
  }
  assert.deepEqual(errors, [], `worst ${worst}`);
});

test('tail at p = p*: the loss decays at the rate of the linearised ODE (η² term included), measured within 0.5 %', () => {
  for (const [p, eta] of [[2, 0.2], [1, 0.1]] as const) {
    const c = parseConfig({ p, pStar: p, eta, alphaMax: 250 });
    const init = initialCondition(c).overlaps;
    const t = solveOde(makeProblem(c), init);
    const fit = analyzeLossCurve(t.alpha, t.loss, { tailLaw: 'exponential' }).finalDecay;
    const theory = tailTheory({ p, pStar: p, eta, noise: 0, P: init.P });
    assert.ok(theory && theory.law === 'exponential' && fit && fit.law === 'exponential');
    assert.ok(Math.abs(fit.rate / theory.rate - 1) < 5e-3, `p = ${p}: measured ${fit.rate}, theory ${theory.rate}`);
    // Not the gradient-flow rate 2η·(smallest curvature) alone: at η = 0.2, p = 2 the η² term moves it.
  }
});

test('tail at p > p* in gradient flow: ε ≈ A α⁻² with A = p² r/(64η²(1 + r/(p*+2))): fitted exponent within 1 %, ε α² at α = 2·10⁴ within 1 % of A', () => {
  for (const [p, pStar] of [[4, 2], [3, 1]] as const) {
    const eta = 0.5;
    const c = parseConfig({ p, pStar, eta, alphaMax: 20_000 });
    const init = initialCondition(c).overlaps;
    const t = solveOde(makeProblem(c), init, { sgdNoise: false });
    const fit = analyzeLossCurve(t.alpha, t.loss, { tailLaw: 'power' }).finalDecay;
    const theory = tailTheory({ p, pStar, eta, noise: 0, P: init.P });
    assert.ok(theory && theory.law === 'power' && fit && fit.law === 'power');
    assert.ok(Math.abs(fit.exponent / theory.exponent - 1) < 0.01, `p = ${p}: exponent ${fit.exponent}`);
    // The fitted prefactor carries the fit's exponent (2.005 moves it by 5 % over α ~ 10⁴); ε α² at
    // the last point is the prefactor itself, up to the offset α₀ ~ α_esc: (1 − α₀/α)⁻² ≈ 1 + 2·10⁻³.
    const last = t.alpha.length - 1;
    const local = t.loss[last] * t.alpha[last] ** 2;
    assert.ok(Math.abs(local / theory.prefactor - 1) < 0.01, `p = ${p}: ε α² = ${local}, theory ${theory.prefactor}`);
  }
});

test('no tail law is claimed where none is derived: p < p*, or label noise', () => {
  assert.equal(tailTheory({ p: 1, pStar: 2, eta: 0.2, noise: 0, P: identity(2) }), null);
  assert.equal(tailTheory({ p: 4, pStar: 2, eta: 0.2, noise: 0.1, P: identity(2) }), null);
  assert.ok(Math.abs(lossAtZero({ p: 4, pStar: 2, eta: 0.2, noise: 0.1, P: identity(2) }) - 1.05) < 1e-15);
});

test('in gradient flow (η² term dropped) the same theory, without its η² terms, predicts α_esc within 5 % (p = p*, 8p*; σ² = 10⁻², 10⁻⁶) and the saddle is pT/(p + 2)', () => {
  const pStar = 2, eta = 0.5;
  for (const p of [pStar, 8 * pStar]) {
    const s: TheorySetup = { p, pStar, eta, noise: 0, P: identity(pStar), sgdNoise: false };
    assert.ok(Math.abs(normGrowthRate(s) - (4 * eta) / p) < 1e-15 && Math.abs(alignmentRate(s)! - (4 * eta) / (p * pStar)) < 1e-15);
    assert.ok(Math.abs(sgdSaddle(s)!.q - p / (p + 2)) < 1e-15);
    for (const variance of [1e-2, 1e-6]) {
      const c = parseConfig({ p, pStar, eta, alphaMax: 10 * p + 20, savePoints: 600, init: { teacher: 'orthonormal', studentVariance: variance, seed: 0 } });
      const init = initialCondition(c).overlaps;
      const t = solveOde(makeProblem(c), init, { sgdNoise: false });
      const measured = analyzeLossCurve(t.alpha, t.loss);
      const predicted = predictEscape({ ...s, P: init.P }, init, measured.referenceLoss / 2);
      assert.ok(predicted && measured.escapeAlpha && Math.abs(predicted.alpha / measured.escapeAlpha - 1) < 0.05, `p = ${p}, σ² = ${variance}: ${predicted?.alpha} vs ${measured.escapeAlpha}`);
    }
  }
});
