import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../model/config.js';
import { makeProblem, initialCondition } from '../model/problem.js';
import { solveOde } from '../ode/solve.js';
import { analyzeSetup } from './analyze.js';

function analyzeConfig(raw: Record<string, unknown>) {
  const c = parseConfig(raw);
  const init = initialCondition(c).overlaps;
  const trajectory = solveOde(makeProblem(c), init);
  return { a: analyzeSetup({ eta: c.eta as number, noise: c.noise, weightDecay: c.weightDecay, initial: init, trajectory }), trajectory };
}

test('default setup: theory beside measurement — α_esc within 1 %, the tail fitted as a power law (p > p*), the Hessian at every saved α', () => {
  const { a, trajectory } = analyzeConfig({});
  assert.ok(a.escapeAlpha !== null && a.theory.escapeAlpha !== null);
  assert.ok(Math.abs(a.theory.escapeAlpha / a.escapeAlpha - 1) < 0.01, `theory ${a.theory.escapeAlpha}, measured ${a.escapeAlpha}`);
  assert.equal(a.finalDecay?.law, 'power');
  assert.deepEqual(a.theory.tail && a.theory.tail.law, 'power');
  assert.deepEqual(a.hessian.trajectory.alpha, Array.from(trajectory.alpha));
  const n = 4 * (4 + 2);
  assert.ok(a.hessian.trajectory.hessian.every((h) => h.length === n) && a.hessian.trajectory.residual.every((r) => r.length === 4 + 2));
  assert.deepEqual(a.theory.notDerived, []);
});

test('p = p*: the tail is fitted as an exponential and compared with the theory\'s rate; weight decay: the rates are reported as not derived', () => {
  const { a } = analyzeConfig({ p: 2, pStar: 2, eta: 0.2, alphaMax: 200 });
  assert.equal(a.finalDecay?.law, 'exponential');
  assert.ok(a.theory.tail?.law === 'exponential' && a.finalDecay?.law === 'exponential');
  assert.ok(Math.abs(a.finalDecay.rate / a.theory.tail.rate - 1) < 0.01, `${a.finalDecay.rate} vs ${a.theory.tail.rate}`);
  const decay = analyzeConfig({ weightDecay: 0.01, alphaMax: 60 }).a;
  assert.equal(decay.theory.escapeAlpha, null);
  assert.equal(decay.theory.normGrowthRate, null);
  assert.ok(decay.theory.notDerived.length > 0);
});
