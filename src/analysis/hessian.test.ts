import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hessianSpectrum, reducedCoordinates, reducedHessian, symmetricSaddle, solutionOverlaps, expectedSolutionZeroModes, gaussNewtonHessian, residualBlock, hessianParts, hessianTrajectoryCsv } from './hessian.js';
import { closestSolution } from './implicitBias.js';
import { quadraticPopulationLoss } from '../ode/quadratic.js';
import type { Overlaps } from '../model/overlaps.js';
import { parseConfig } from '../model/config.js';
import { makeProblem, initialCondition } from '../model/problem.js';
import { solveOde } from '../ode/solve.js';
import { toRows, matmul, matmulT, trace } from '../linalg/matrix.js';
import { analyzeSetup } from './analyze.js';

// Oracles of the Hessian (hessian.ts's header), here since only the tests use them: the loss and
// its gradient in the reduced student coordinates, each checked against the one below it.

/** Population loss (Δ = 0) as a function of the reduced student coordinates Ŵ (p×d). */
function reducedLoss(W: Float64Array, T: Float64Array, p: number, pStar: number, d: number): number {
  const Q = matmulT(W, W, p, d, p), M = matmulT(W, T, p, d, pStar), P = matmulT(T, T, pStar, d, pStar);
  const tau = trace(Q, p) / p - trace(P, pStar) / pStar;
  let q2 = 0, m2 = 0, p2 = 0;
  for (const v of Q) q2 += v * v;
  for (const v of M) m2 += v * v;
  for (const v of P) p2 += v * v;
  return 0.5 * (tau * tau + 2 * (q2 / (p * p) - (2 * m2) / (p * pStar) + p2 / (pStar * pStar)));
}

/** ∇_Ŵ ε = 2 G_Q Ŵ + G_M T̂ (p×d), G_Q = (τ/p) I + 2Q/p², G_M = −4M/(p p*). */
function reducedGradient(W: Float64Array, T: Float64Array, p: number, pStar: number, d: number): Float64Array {
  const Q = matmulT(W, W, p, d, p), M = matmulT(W, T, p, d, pStar), P = matmulT(T, T, pStar, d, pStar);
  const tau = trace(Q, p) / p - trace(P, pStar) / pStar;
  const GQ = Q.map((q) => (2 * q) / (p * p));
  for (let i = 0; i < p; i++) GQ[i * p + i] += tau / p;
  const GM = M.map((m) => (-4 * m) / (p * pStar));
  const a = matmul(GQ, W, p, p, d), b = matmul(GM, T, p, pStar, d);
  return a.map((v, i) => 2 * v + b[i]);
}

const identity = (n: number) => { const I = new Float64Array(n * n); for (let i = 0; i < n; i++) I[i * n + i] = 1; return I; };
const generic: Overlaps = {
  p: 3, pStar: 2,
  Q: Float64Array.of(0.9, 0.2, -0.1, 0.2, 0.7, 0.05, -0.1, 0.05, 0.5),
  M: Float64Array.of(0.3, -0.2, 0.1, 0.4, -0.05, 0.2),
  P: Float64Array.of(1, 0.3, 0.3, 0.8),
};

test('reduced coordinates reproduce the overlaps, and the reduced loss equals the closed-form population loss', () => {
  const { W, T, d } = reducedCoordinates(generic);
  assert.ok(Math.abs(reducedLoss(W, T, 3, 2, d) - quadraticPopulationLoss(generic, 0)) < 1e-13);
});

test('the analytic gradient matches central finite differences of the loss to 1e-8', () => {
  const { W, T, d } = reducedCoordinates(generic);
  const g = reducedGradient(W, T, 3, 2, d);
  const h = 1e-5;
  for (let i = 0; i < W.length; i++) {
    const Wp = W.slice(), Wm = W.slice();
    Wp[i] += h; Wm[i] -= h;
    const fd = (reducedLoss(Wp, T, 3, 2, d) - reducedLoss(Wm, T, 3, 2, d)) / (2 * h);
    assert.ok(Math.abs(fd - g[i]) < 1e-8, `component ${i}: ${g[i]} vs ${fd}`);
  }
});

test('the analytic Hessian matches central finite differences of the gradient to 1e-7 and is symmetric', () => {
  const { W, T, d } = reducedCoordinates(generic);
  const { H, n } = reducedHessian(generic);
  const h = 1e-5;
  for (let j = 0; j < n; j++) {
    const Wp = W.slice(), Wm = W.slice();
    Wp[j] += h; Wm[j] -= h;
    const gp = reducedGradient(Wp, T, 3, 2, d), gm = reducedGradient(Wm, T, 3, 2, d);
    for (let i = 0; i < n; i++) {
      assert.ok(Math.abs((gp[i] - gm[i]) / (2 * h) - H[i * n + j]) < 1e-7, `H[${i}][${j}]`);
      assert.ok(Math.abs(H[i * n + j] - H[j * n + i]) < 1e-12);
    }
  }
});

test('the symmetric plateau is a saddle: p·p* negative directions (towards the teacher), p(p−1)/2 rotation zero modes', () => {
  for (const [p, pStar] of [[1, 1], [2, 2], [4, 2], [8, 2], [3, 1]]) {
    const s = hessianSpectrum(symmetricSaddle(p, pStar, identity(pStar)));
    assert.deepEqual([s.negative, s.zero, s.positive], [p * pStar, (p * (p - 1)) / 2, (p * (p + 1)) / 2], `p=${p} p*=${pStar}`);
    // G_Q = 0 at the saddle: flat outside the student–teacher subspace too
    assert.ok(s.orthogonalEigenvalues.every((v) => Math.abs(v) < 1e-12));
  }
});

test('zero-loss points are marginal minima: no negative eigenvalue, zero modes = manifold dimension + p(p − p*) second-order-flat directions', () => {
  for (const [p, pStar] of [[1, 1], [2, 2], [2, 1], [4, 2], [8, 2], [3, 1], [5, 3]]) {
    const P = identity(pStar);
    P[0] = 1.5; // a non-orthonormal teacher changes nothing in the counts
    const M = Float64Array.from({ length: p * pStar }, (_, i) => Math.sin(1.7 * i * i + 0.3)); // generic, full rank
    const R = closestSolution({ p, pStar, M })!;
    const o = solutionOverlaps(R, P, p, pStar);
    assert.ok(quadraticPopulationLoss(o, 0) < 1e-12, `on the manifold: loss ${quadraticPopulationLoss(o, 0)}`);
    const s = hessianSpectrum(o);
    const e = expectedSolutionZeroModes(p, pStar);
    assert.equal(s.negative, 0, `p=${p} p*=${pStar}`);
    assert.equal(s.zero, e.manifold + e.secondOrderFlat, `p=${p} p*=${pStar}: ${s.zero} zero modes`);
  }
});

test('zero-mode counts at a zero-loss point do not depend on the teacher scale (P = s·I, s from 10⁻⁶ to 10³) or on the sizes', () => {
  // A zero-loss point has a rank-deficient joint covariance; rounding there must not become curvature.
  for (const [p, pStar] of [[3, 1], [5, 3], [6, 3], [6, 1], [10, 3]]) {
    for (const s of [1e-6, 1e-3, 0.37, 1, 10, 1e3]) {
      const P = identity(pStar).map((v) => v * s);
      const R = new Float64Array(p * pStar);
      for (let j = 0; j < pStar; j++) R[j * pStar + j] = Math.sqrt(p / pStar); // O = first p* unit vectors
      const h = hessianSpectrum(solutionOverlaps(R, P, p, pStar));
      const e = expectedSolutionZeroModes(p, pStar);
      assert.equal(h.negative, 0, `p=${p} p*=${pStar} s=${s}: ${h.negative} negative`);
      assert.equal(h.zero, e.manifold + e.secondOrderFlat, `p=${p} p*=${pStar} s=${s}: ${h.zero} zero modes`);
    }
  }
});

test('with weight decay λ the symmetric saddle moves to q = p(tr P/p* − λp/2)/(p + 2) and is a fixed point of the gradient-flow ODE', () => {
  // p = 4, p* = 2, P = I, λ = 0.05: q = 4(1 − 0.1)/6 = 0.6 (the λ = 0 formula gave 2/3, which the flow leaves).
  const p = 4, pStar = 2, weightDecay = 0.05;
  const s = symmetricSaddle(p, pStar, identity(pStar), weightDecay);
  assert.ok(Math.abs(s.Q[0] - 0.6) < 1e-15, `q = ${s.Q[0]}`);
  const config = parseConfig({ p, pStar, weightDecay, alphaMax: 10, saveAt: [0, 10], init: { Q: toRows(s.Q, p, p), M: toRows(s.M, p, pStar), P: toRows(s.P, pStar, pStar) } });
  const t = solveOde(makeProblem(config), s, { sgdNoise: false });
  for (let i = 0; i < p * p; i++) assert.ok(Math.abs(t.Q[1][i] - s.Q[i]) < 1e-9, `Q[${i}] moved to ${t.Q[1][i]}`);
  // its loss, by hand: τ = 0.6 − 1, tr Q²/p² = 0.09, tr P²/p*² = 0.5: ε = ½(0.16 + 2·0.59) = 0.67 (λ = 0 saddle: 2/3)
  const a = analyzeSetup({ eta: 0.5, noise: 0, weightDecay, initial: s, trajectory: t });
  assert.ok(Math.abs(a.theory.saddleLoss - 0.67) < 1e-12, `saddle loss ${a.theory.saddleLoss}`);
});

test('Gauss–Newton plus residual is the Hessian (10⁻¹³), the Gauss–Newton part is positive semidefinite, and the outside block splits as 4Q/p² + 2τ/p', () => {
  const { H, n } = reducedHessian(generic);
  const { G } = gaussNewtonHessian(generic);
  const { R, d } = residualBlock(generic);
  const p = generic.p;
  // Residual acts as V ↦ V·R (V is p×d row-major): entry ((k,a),(l,b)) = δ_kl R_ab.
  for (let k = 0; k < p; k++) for (let a = 0; a < d; a++) for (let l = 0; l < p; l++) for (let b = 0; b < d; b++) {
    const r = k * d + a, c = l * d + b;
    const sum = G[r * n + c] + (k === l ? R[a * d + b] : 0);
    assert.ok(Math.abs(sum - H[r * n + c]) < 1e-13, `(${r}, ${c}): ${sum} vs ${H[r * n + c]}`);
  }
  const parts = hessianParts(generic);
  assert.ok(parts.gaussNewton[0] > -1e-13, `smallest Gauss–Newton eigenvalue ${parts.gaussNewton[0]}`);
  const spectrum = hessianSpectrum(generic);
  parts.outside.forEach((v, i) => assert.ok(Math.abs(v - spectrum.orthogonalEigenvalues[i]) < 1e-13));
  parts.outsideGaussNewton.forEach((v, i) => assert.ok(Math.abs(v + parts.outsideResidual - parts.outside[i]) < 1e-13));
});

test('at the zero-loss manifold the residual part vanishes; along an SGD run towards it (p > p*) the Hessian keeps negative eigenvalues of order √ε, bounded by the residual part', () => {
  const p = 4, pStar = 2, P = identity(pStar);
  const R = new Float64Array(p * pStar); // R = √(p/p*)·[I; 0]
  R[0] = R[3] = Math.sqrt(p / pStar);
  const onParts = hessianParts(solutionOverlaps(R, P, p, pStar));
  assert.ok(onParts.residual.every((v) => Math.abs(v) < 1e-13), `residual at the solution: ${onParts.residual}`);
  // The default setup (η = 0.5) run on to ε ~ 10⁻⁶: the SGD-noise term keeps the aligned part off
  // the gradient-flow slaved point, and the residual part (~√ε) tips the spectrum negative.
  const c = parseConfig({ alphaMax: 1000, savePoints: 60 });
  const init = initialCondition(c).overlaps;
  const t = solveOde(makeProblem(c), init);
  const ratios = [t.alpha.findIndex((a) => a >= 250), t.alpha.length - 1].map((i) => {
    const h = hessianParts({ p, pStar, Q: t.Q[i], M: t.M[i], P: init.P });
    assert.ok(h.hessian[0] < -1e-6, `α = ${t.alpha[i]}: smallest eigenvalue ${h.hessian[0]}`);
    assert.ok(h.gaussNewton[0] > -1e-12 && h.hessian[0] >= h.residual[0] - 1e-15, 'Weyl: λ_min(H) ≥ λ_min(GN) + λ_min(residual) ≥ λ_min(residual)');
    return h.hessian[0] / Math.sqrt(t.loss[i]);
  });
  // Order √ε: λ_min/√ε is the same at α = 250 and 1000 (ε falls 16-fold in between) within 10 %.
  assert.ok(Math.abs(ratios[0] / ratios[1] - 1) < 0.1, `λ_min/√ε = ${ratios}`);
});

test('hessian-trajectory.csv has one column per eigenvalue, alpha first, and one row per α', () => {
  const t = { alpha: [0, 1], hessian: [[1, 2], [3, 4]], gaussNewton: [[1, 2], [3, 4]], residual: [[0], [0]], outside: [[5], [6]], outsideGaussNewton: [[5], [6]], outsideResidual: [0, 0] };
  const lines = hessianTrajectoryCsv(t).trim().split('\n');
  assert.equal(lines[0], 'alpha,hessian_1,hessian_2,gauss_newton_1,gauss_newton_2,residual_1,outside_1,outside_gauss_newton_1,outside_residual');
  assert.equal(lines.length, 3);
  assert.equal(lines[2], '1,3,4,3,4,0,6,6,0');
});
