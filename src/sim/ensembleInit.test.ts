import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../model/config.js';
import { makeProblem, initialCondition } from '../model/problem.js';
import { simulateEnsemble } from './ensemble.js';

const base = { N: 100, runs: 2, alphaMax: 1, savePoints: 5 };

test('ensemble "init": run 0 is the usual run, run 1 starts from other student weights on the same data stream; "both" varies both; "data" starts every run from the same weights', () => {
  const run = (ensemble: string) => {
    const problem = makeProblem(parseConfig({ ...base, ensemble }));
    return simulateEnsemble(problem, initialCondition(problem.config)).runs;
  };
  const data = run('data'), init = run('init'), both = run('both');
  assert.deepEqual(data[0].loss, init[0].loss);
  assert.deepEqual(data[0].Q[0], data[1].Q[0]);
  assert.notDeepEqual(init[1].Q[0], init[0].Q[0]);
  assert.deepEqual(init[1].Q[0], both[1].Q[0]);
  // Same initial weights as "init" run 1 but the data of run 1: a different trajectory.
  assert.notDeepEqual(init[1].loss, both[1].loss);
});

test('ensemble "init" with explicit overlaps is refused with a one-line error naming the key', () => {
  const problem = makeProblem(parseConfig({ ...base, ensemble: 'init', p: 1, pStar: 1, init: { Q: [[0.1]], M: [[0.01]], P: [[1]] } }));
  assert.throws(() => simulateEnsemble(problem, initialCondition(problem.config)), /needs a random init/);
});
