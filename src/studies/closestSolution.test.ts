/**
 * The closest-solution study: the logistic regression against exact probabilities (a known
 * scaling variable must be recovered), and the physics at a decisive small size: the probability
 * of ending near the closest solution falls with η, is the same at equal η whatever σ² and N,
 * and differs at equal η/σ (the hint the issue named), by more than 3 standard errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../model/config.js';
import { logisticFit, collapseOf, closestPoint, closestSolutionStudy, type ClosestPoint } from './closestSolution.js';

test('the logistic regression recovers the coefficients of exact binomial proportions to 10⁻⁸, with deviance below 10⁻⁶', () => {
  const beta = [0.7, -1.3, 0.4];
  const X = [[1, 0, 0], [1, 1, 0], [1, 0, 1], [1, 2, -1], [1, -1, 2], [1, 0.5, 0.5]];
  const n = X.map(() => 1e6), k = X.map((row, i) => n[i] / (1 + Math.exp(-row.reduce((s, x, j) => s + x * beta[j], 0))));
  const f = logisticFit(X, k, n, ['1', 'u', 'v']);
  f.coefficients.forEach((b, j) => assert.ok(Math.abs(b - beta[j]) < 1e-8, `β${j} = ${b}`));
  assert.ok(f.deviance < 1e-6 && f.dof === 3, `deviance ${f.deviance}`);
});

test('separated counts (all near below some η, none above) have no finite logistic fit: NaN exponents and a warning, not a crash', () => {
  const pts: ClosestPoint[] = [0.05, 0.1, 0.2, 0.5].map((eta, i) => ({ N: 1e3 * 10 ** (i % 2), eta, variance: [1e-3, 1e-2, 1e-2, 1e-3][i], runs: 8, converged: 8, near: eta < 0.15 ? 8 : 0, probability: eta < 0.15 ? 1 : 0, stderr: 0, ratioMean: NaN, ratioStd: NaN, ratios: [], alphaMax: 1, sdeStep: 1 }));
  const s = collapseOf(pts, 0.25);
  assert.equal(s.collapse.fitted.converged, false);
  assert.ok(Number.isNaN(s.variable.a) && Number.isNaN(s.variable.b));
  assert.match(s.warning ?? '', /separated/);
});

test('the collapse analysis finds the variable of synthetic data made on x = η·(σ²)^(−1/2) (a = −0.5, b = 0 within 10⁻⁶), and rates η alone far worse', () => {
  const pts: ClosestPoint[] = [];
  for (const eta of [0.05, 0.1, 0.2, 0.5]) for (const variance of [1e-1, 1e-2, 1e-3]) for (const N of [1e3, 1e5]) {
    const x = eta / Math.sqrt(variance), n = 1e6, P = 1 / (1 + Math.exp(-(1 - 0.8 * Math.log(x))));
    pts.push({ N, eta, variance, runs: n, converged: n, near: n * P, probability: P, stderr: 0, ratioMean: NaN, ratioStd: NaN, ratios: [], alphaMax: 1, sdeStep: 1 });
  }
  const s = collapseOf(pts, 0.25);
  assert.ok(Math.abs(s.variable.a + 0.5) < 1e-6 && Math.abs(s.variable.b) < 1e-6, JSON.stringify(s.variable));
  assert.ok(s.collapse.etaOverSigma.deviance < 1e-6 && s.collapse.etaOnly.deviance > 1e3, `${s.collapse.etaOverSigma.deviance}, ${s.collapse.etaOnly.deviance}`);
});

test('SDE, 16 runs per point: P(distance < 0.25 × typical) is the same at η = 0.05 for (σ², N) = (10⁻³, 10³) and (10⁻⁵, 10⁷) within 3 standard errors, and higher than at η = 0.5 with the same η/σ by more than 3', () => {
  const config = parseConfig({ runs: 16 }, { weights: false });
  const a = closestPoint(config, 1e3, 0.05, 1e-3, 0.25);
  // Other streams (SDE noise and initial draws): the same streams at both points would give nearly
  // the same runs (the dynamics of M√N/σ barely depend on N and σ²), and the comparison no test.
  const b = closestPoint(parseConfig({ runs: 16, seed: 2, init: { seed: 1 } }, { weights: false }), 1e7, 0.05, 1e-5, 0.25);
  const c = closestPoint(config, 1e3, 0.5, 1e-1, 0.25); // η/σ = 0.05/√10⁻³ = 0.5/√10⁻¹
  for (const q of [a, b, c]) assert.equal(q.converged, q.runs, `η = ${q.eta}, σ² = ${q.variance}: every run converges`);
  // Standard error of the difference; 1/runs keeps it above 0 when both proportions are 0 or 1.
  const z = (u: ClosestPoint, v: ClosestPoint) => Math.abs(u.probability - v.probability) / Math.hypot(u.stderr, v.stderr, 1 / u.runs);
  assert.ok(z(a, b) < 3, `equal η: ${a.probability} vs ${b.probability}`);
  assert.ok(a.probability > c.probability && z(a, c) > 3, `equal η/σ: ${a.probability} vs ${c.probability}`);
});

test('the study refuses a threshold outside (0, 1) and fewer than 2 runs, naming the field', () => {
  const c = parseConfig({ runs: 4 }, { weights: false });
  assert.throws(() => closestSolutionStudy(c, { Ns: [1e3], etas: [0.5], variances: [1e-3], threshold: 1.5 }), /^ConfigError: threshold: must be between 0 and 1/);
  assert.throws(() => closestSolutionStudy(parseConfig({}, { weights: false }), { Ns: [1e3], etas: [0.5], variances: [1e-3], threshold: 0.25 }), /runs: must be at least 2/);
});
