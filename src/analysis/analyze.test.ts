import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../model/config.js';
import { makeProblem, initialCondition } from '../model/problem.js';
import { solveOde } from '../ode/solve.js';
import { analyzeSetup, hessianSkipReason, HESSIAN_MAX_SIDES } from './analyze.js';

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
  assert.deepEqual(a.hessian?.trajectory.alpha, Array.from(trajectory.alpha));
  const n = 4 * (4 + 2);
  assert.ok(a.hessian && a.hessian.trajectory.hessian.every((h) => h.length === n) && a.hessian.trajectory.residual.every((r) => r.length === 4 + 2));
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

test('a run saved with saveOverlaps "none" or every k-th point is analysed at the points that kept Q and M (it failed reading the empty ones)', () => {
  const full = analyzeConfig({ alphaMax: 30, savePoints: 40 }).a;
  for (const saveOverlaps of ['none', 7] as const) {
    const { a, trajectory } = analyzeConfig({ alphaMax: 30, savePoints: 40, saveOverlaps });
    const kept = trajectory.Q.flatMap((q, i) => (q.length > 0 ? [i] : []));
    assert.ok(kept.length < trajectory.alpha.length && kept.length >= 2);
    // The Hessian along the run: exactly the kept points, with the spectra of the full run there.
    assert.deepEqual(a.hessian?.trajectory.alpha, kept.map((i) => trajectory.alpha[i]));
    for (const [k, i] of kept.entries()) assert.deepEqual(a.hessian?.trajectory.hessian[k], full.hessian?.trajectory.hessian[i]);
    assert.ok(a.hessian && a.hessian.trajectory.hessian.length === kept.length);
    // The conserved quantity's drift is that of the full run's kept points (J needs Q, M).
    assert.deepEqual(a.conserved.initial, full.conserved.initial);
    assert.ok(a.conserved.maxDrift <= full.conserved.maxDrift && a.conserved.maxDrift > 0);
    assert.deepEqual(a.implicitBias, full.implicitBias);
  }
});

test('a wide student (p(p + p*) > HESSIAN_MAX_SIDES) is analysed without its Hessian, which says why (p = 256 failed allocating a 35 GB matrix, exit 1)', () => {
  assert.equal(hessianSkipReason(25, 2), null); // n = 675
  assert.match(hessianSkipReason(26, 2) ?? '', /p\(p \+ p\*\) = 728 sides, above 700/);
  assert.equal(HESSIAN_MAX_SIDES, 700);
  // (Weight decay leaves out the escape prediction, whose own ODE solves at p = 256 take seconds.)
  const { a } = analyzeConfig({ p: 256, alphaMax: 0.5, savePoints: 2, weightDecay: 1e-3 });
  assert.equal(a.hessian, null);
  assert.match(a.hessianSkipped ?? '', /66048 sides.*hours.*GiB a matrix/);
  // The other analyses are still there.
  assert.ok(Number.isFinite(a.conserved.maxDrift) && a.implicitBias !== null && a.theory.saddleLoss > 0);
});
