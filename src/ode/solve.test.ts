import { test } from 'node:test';
import assert from 'node:assert/strict';
import { solveOde } from './solve.js';
import { makeProblem, initialCondition } from '../model/problem.js';
import { parseConfig } from '../model/config.js';

test('phase retrieval at tiny η with M = 0 follows the logistic closed form q(α) = K/(1 + (K/q₀ − 1)e^{−4ηα}), K = 1/3', () => {
  // p = p* = 1, P = 1, M = 0: dq/dα = −4η(τq + 2q²) + O(η²) = 4η q (1 − 3q) + O(η²).
  const eta = 1e-7, q0 = 0.01;
  const config = parseConfig({ p: 1, pStar: 1, eta, alphaMax: 3 / eta, saveAt: [1 / eta, 2 / eta, 3 / eta], N: 1e6, init: { Q: [[q0]], M: [[0]], P: [[1]] } });
  const problem = makeProblem({ ...config, N: 1 }); // N = 1: save times are not rounded to steps here
  const t = solveOde(problem, initialCondition(config).overlaps, { saveAt: [1 / eta, 2 / eta, 3 / eta] });
  assert.equal(t.status, 'completed');
  const K = 1 / 3;
  t.alpha.forEach((a, i) => {
    const q = K / (1 + (K / q0 - 1) * Math.exp(-4 * eta * a));
    assert.ok(Math.abs(t.Q[i][0] - q) < 1e-5 * q, `α = ${a}: ODE ${t.Q[i][0]}, logistic ${q}`);
  });
});

test('the default rtol is converged: tightening it 100-fold changes no saved loss by more than 1e-8 (relative)', () => {
  const config = parseConfig({});
  const problem = makeProblem(config);
  const init = initialCondition(config).overlaps;
  const a = solveOde(problem, init);
  const b = solveOde(problem, init, { rtol: config.rtol / 100, atol: config.atol / 100 });
  assert.equal(a.status, 'completed');
  a.loss.forEach((l, i) => assert.ok(Math.abs(l - b.loss[i]) <= 1e-8 * Math.abs(b.loss[i]), `α = ${a.alpha[i]}: ${l} vs ${b.loss[i]}`));
});

test('the teacher overlap P stays constant and the default run ends well below the plateau', () => {
  const config = parseConfig({});
  const init = initialCondition(config).overlaps;
  const t = solveOde(makeProblem(config), init);
  assert.deepEqual(Array.from(t.P), Array.from(init.P));
  assert.ok(t.loss[t.loss.length - 1] < 1e-2 * t.loss[0], `final loss ${t.loss[t.loss.length - 1]}`);
});

test('η far beyond the stability limit is reported as divergence: where (α, divergedAt) and which norm, nothing it did not measure', () => {
  const config = parseConfig({ eta: 4 });
  const t = solveOde(makeProblem(config), initialCondition(config).overlaps);
  assert.equal(t.status, 'diverged');
  assert.match(t.message, /^diverged at α = [\d.]+: the student norm Q\[\d\]\[\d\] reached \S+ \(above 1e\+3 = 1000 × the initial scale\)$/);
  assert.ok(t.divergedAt! > t.alpha[t.alpha.length - 1] && t.divergedAt! < config.alphaMax, `divergedAt ${t.divergedAt}`);
  assert.ok(t.loss.every(Number.isFinite));
});
