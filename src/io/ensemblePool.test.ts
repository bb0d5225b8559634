import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simulateEnsembleOnPool } from './ensemblePool.js';
import { simulateEnsemble, type EnsembleCheckpoint } from '../sim/ensemble.js';
import { parseConfig } from '../model/config.js';
import { makeProblem, initialCondition } from '../model/problem.js';
import { ConfigError, OnepassError } from '../model/errors.js';

// Small runs: a few thousand steps each, with label noise so every draw matters.
const config = parseConfig({ N: 300, alphaMax: 6, savePoints: 13, runs: 3, seed: 5, noise: 0.05 });
const problem = makeProblem(config), initial = initialCondition(config);

test('an ensemble on 2 worker threads equals the same ensemble run in sequence, run by run, bit for bit', async () => {
  const reference = simulateEnsemble(problem, initial);
  const progress: number[] = [];
  const pooled = await simulateEnsembleOnPool(problem, initial, { workers: 2, onProgress: (f) => progress.push(f) });
  assert.equal(pooled.seed, reference.seed);
  pooled.runs.forEach((t, r) => {
    assert.deepEqual(t.loss, reference.runs[r].loss);
    assert.deepEqual(t.Q, reference.runs[r].Q);
    assert.deepEqual(t.M, reference.runs[r].M);
  });
  assert.deepEqual(pooled.lossMean, reference.lossMean);
  assert.deepEqual(pooled.lossStd, reference.lossStd);
  assert.equal(progress.at(-1), 1);
  assert.ok(progress.length > 3, 'progress arrives while the runs go, not only at the end');
});

test('a pooled ensemble resumes from a checkpoint with one run finished and one half done to the uninterrupted result', async () => {
  const reference = simulateEnsemble(problem, initial);
  // Checkpoints of the sequential ensemble: take one written during run 1 (run 0 finished).
  const states: EnsembleCheckpoint[] = [];
  simulateEnsemble(problem, initial, { checkpoint: { everySeconds: 0, write: (s) => states.push(s) } });
  const mid = states.find((s) => s.finished[0] !== null && s.finished[1] === null && s.current[1] !== null && s.current[1]!.step > 0);
  assert.ok(mid, 'a checkpoint inside run 1');
  const checkpoints: EnsembleCheckpoint[] = [];
  const resumed = await simulateEnsembleOnPool(problem, initial, {
    workers: 2, resume: mid, checkpoint: { everySeconds: 0, write: (s) => checkpoints.push(s) },
  });
  resumed.runs.forEach((t, r) => assert.deepEqual(t.loss, reference.runs[r].loss, `run ${r}`));
  assert.deepEqual(resumed.lossMean, reference.lossMean);
  // What the pool writes can itself be resumed: indexed by run, one entry per run.
  assert.ok(checkpoints.length > 0);
  for (const c of checkpoints) {
    assert.equal(c.finished.length, 3);
    assert.equal(c.current.length, 3);
    assert.notEqual(c.finished[0], null, 'the run finished before the checkpoint stays finished');
  }
  const again = await simulateEnsembleOnPool(problem, initial, { workers: 2, resume: checkpoints[Math.floor(checkpoints.length / 2)] });
  again.runs.forEach((t, r) => assert.deepEqual(t.loss, reference.runs[r].loss, `run ${r}, second resume`));
});

test('a user error inside a worker thread reaches the caller as an OnepassError, not as a plain Error (an engine bug)', async () => {
  // An erf student with σ² = 3 > 2 is refused by the mixed-activation quadrature once the run
  // evaluates it, i.e. inside the worker; structured clone would strip the class on the way back.
  const wide = parseConfig({ N: 50, alphaMax: 0.1, runs: 2, activation: 'erf', teacherActivation: 'square', init: { teacher: 'orthonormal', studentVariance: 3, seed: 0 } });
  const small = parseConfig({ N: 50, alphaMax: 0.1, runs: 2 });
  assert.throws(() => simulateEnsemble(makeProblem(wide), initialCondition(wide)), ConfigError, 'the same config fails in this thread');
  await assert.rejects(simulateEnsembleOnPool({ ...makeProblem(small), config: wide }, initialCondition(small), { workers: 2 }),
    (e: unknown) => e instanceof OnepassError && /^teacherActivation: the mixed erf expectations/.test(e.message));
});
