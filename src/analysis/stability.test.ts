import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stabilityLimit } from './stability.js';
import { parseConfig } from '../model/config.js';
import { makeProblem, initialCondition } from '../model/problem.js';
import { solveOde } from '../ode/solve.js';

test('the stability limit brackets the divergence to 2 %: the ODE completes just below it and diverges just above', () => {
  const config = parseConfig({ eta: 4, alphaMax: 40 });
  const l = stabilityLimit(config)!;
  assert.ok(l.unstable / l.stable <= 1.02 && l.stable > 0.5 && l.stable < 4, JSON.stringify(l));
  const status = (eta: number) => solveOde(makeProblem({ ...config, eta }), initialCondition(config).overlaps).status;
  assert.equal(status(l.stable), 'completed');
  assert.equal(status(l.unstable), 'diverged');
});

test('a stable η is searched upwards: the limit is found above it', () => {
  const l = stabilityLimit(parseConfig({ eta: 0.1, alphaMax: 40 }))!;
  assert.ok(l.stable > 0.1 && l.unstable / l.stable <= 1.02, JSON.stringify(l));
});
