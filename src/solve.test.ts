import { test } from 'node:test';
import assert from 'node:assert/strict';
import { solve } from './solve.js';
import { parseConfig } from './model/config.js';
import { makeProblem, initialCondition } from './model/problem.js';
import { solveOde } from './ode/solve.js';
import { simulateSgd, sgdStreams } from './sim/sgd.js';
import { analysisPlan } from './analysis/analyze.js';

const config = parseConfig({ p: 2, pStar: 1, N: 200, alphaMax: 3, savePoints: 30, runs: 3, noise: 0.01 });
const problem = makeProblem(config), initial = initialCondition(config);

test("method 'ode' is the overlap ODE with the η² SGD-noise term, 'gradientFlow' the same without it", () => {
  const ode = solve(problem, initial, { method: 'ode' }), gf = solve(problem, initial, { method: 'gradientFlow' });
  assert.deepEqual(ode, solveOde(problem, initial.overlaps));
  assert.deepEqual(gf, solveOde(problem, initial.overlaps, { sgdNoise: false }));
  // The η² term matters here, so the two methods cannot be confused unnoticed.
  assert.notDeepEqual(ode.loss, gf.loss);
  assert.deepEqual(Object.keys(ode.stats).sort(), ['acceptedSteps', 'rejectedSteps', 'rhsEvaluations']);
});

test("method 'sgd' runs the config's runs; run r is simulateSgd on the streams (seed, ·, r), the same alone or in the ensemble", () => {
  const all = solve(problem, initial, { method: 'sgd' });
  assert.equal(all.runs.length, config.runs);
  const r = 2;
  const alone = solve(problem, initial, { method: 'sgd', runs: [r] });
  assert.equal(alone.runs.length, 1);
  assert.deepEqual(alone.runs[0], all.runs[r]);
  assert.deepEqual(alone.runs[0], simulateSgd(problem, initial.weights!, problem.saveAt, sgdStreams(config.seed, r)));
  assert.notDeepEqual(all.runs[0].loss, all.runs[1].loss, 'independent streams');
  assert.deepEqual(Object.keys(all.runs[0].stats).sort(), ['N', 'steps', 'wasmKernel']);
  assert.equal(all.runs[0].stats.steps, config.alphaMax * config.N);
});

test('the analysis plan: the quadratic analyses and a gradient-flow companion for the quadratic network\'s ODE only, with the reason otherwise', () => {
  assert.deepEqual(analysisPlan(problem, 'ode'), { quadratic: true, notApplicable: null, gradientFlow: true });
  assert.deepEqual(analysisPlan(problem, 'sgd'), { quadratic: true, notApplicable: null, gradientFlow: false });
  for (const c of [{ activation: 'erf' }, { readout: 'sum' }, { trainSecondLayer: true }]) {
    const plan = analysisPlan(makeProblem(parseConfig({ p: 2, pStar: 1, ...c })), 'ode');
    assert.equal(plan.quadratic, false, JSON.stringify(c));
    assert.equal(plan.gradientFlow, false);
    assert.match(plan.notApplicable!, /quadratic network/);
  }
});
