import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stabilityLimit } from './stability.js';
import { parseConfig } from '../model/config.js';
import { makeProblem, initialCondition } from '../model/problem.js';
import { solveOde } from '../ode/solve.js';

test('the stability limit brackets the divergence to 2 % over α ≤ alphaMax: the ODE completes just below it and diverges just above', () => {
  const config = parseConfig({ eta: 4, alphaMax: 40 });
  const l = stabilityLimit(config);
  assert.ok(l.stable !== null && l.unstable !== null && l.unstable / l.stable <= 1.02 && l.stable > 0.5 && l.stable < 4, JSON.stringify(l));
  assert.equal(l.alphaMax, 40);
  const status = (eta: number) => solveOde(makeProblem({ ...config, eta }), initialCondition(config).overlaps).status;
  assert.equal(status(l.stable), 'completed');
  assert.equal(status(l.unstable), 'diverged');
});

test('a stable η is searched upwards: the limit is found above it', () => {
  const l = stabilityLimit(parseConfig({ eta: 0.1, alphaMax: 40 }));
  assert.ok(l.stable !== null && l.unstable !== null && l.stable > 0.1 && l.unstable / l.stable <= 1.02, JSON.stringify(l));
});

test('the limit refers to its α range: it can only fall as alphaMax grows, and always sits below a diverging η and above a completing one', () => {
  // Default setup: larger η blow up sooner, so α ≤ 2 tolerates a larger η than α ≤ 40.
  const short = stabilityLimit(parseConfig({ eta: 4, alphaMax: 2 }));
  const long = stabilityLimit(parseConfig({ eta: 4, alphaMax: 40 }));
  assert.ok(short.stable! > 1.5 * long.stable!, `α ≤ 2: ${short.stable}, α ≤ 40: ${long.stable}`);
  // η = 2 diverges over α ≤ 40 but not over α ≤ 2: the two brackets are on the right sides of it.
  const at2long = stabilityLimit(parseConfig({ eta: 2, alphaMax: 40 }));
  const at2short = stabilityLimit(parseConfig({ eta: 2, alphaMax: 2 }));
  assert.ok(at2long.stable! < 2 && at2short.stable! >= 2, `${JSON.stringify(at2long)} ${JSON.stringify(at2short)}`);
});
