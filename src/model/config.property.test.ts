/**
 * Property tests (fast-check) over random configurations, valid and invalid: parsing either
 * returns a config or throws a ConfigError with a one-line message naming a field; every valid
 * config runs (ODE) or stops with a stated status, never with an unhandled error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseConfig, applyOverrides } from './config.js';
import { ConfigError, OnepassError } from './errors.js';
import { makeProblem, initialCondition } from './problem.js';
import { solveOde } from '../ode/solve.js';

/** Values of every JSON type, including the awkward ones. */
const anyValue = fc.oneof(
  fc.integer({ min: -5, max: 10 }),
  fc.double({ noNaN: false }),
  fc.constantFrom(0, -1, 1e-300, 1e300, Number.NaN, Number.POSITIVE_INFINITY, 2.5, 'square', 'erf', 'relu', 'tanh', '', null, true),
  fc.string({ maxLength: 5 }),
  fc.array(fc.oneof(fc.double(), fc.array(fc.double(), { maxLength: 3 })), { maxLength: 3 }),
  fc.dictionary(fc.constantFrom('teacher', 'studentVariance', 'seed', 'Q', 'M', 'P', 'x'), fc.oneof(fc.double(), fc.string({ maxLength: 3 }), fc.constant('gaussian'))),
);
const keys = ['activation', 'teacherActivation', 'readout', 'p', 'pStar', 'eta', 'noise', 'alphaMax', 'saveAt', 'savePoints', 'init', 'N', 'seed', 'runs', 'rtol', 'atol', 'weightDecay', 'typo'];

test('random (mostly invalid) configs: parseConfig returns or throws a one-line ConfigError, nothing else', () => {
  fc.assert(fc.property(fc.dictionary(fc.constantFrom(...keys), anyValue, { maxKeys: 5 }), (input) => {
    try {
      parseConfig(input);
    } catch (e) {
      assert.ok(e instanceof ConfigError, `${(e as Error).name}: ${(e as Error).message} for ${JSON.stringify(input)}`);
      assert.ok(!e.message.includes('\n') && e.message.length < 400);
      assert.ok(e.field.length > 0);
    }
  }), { numRuns: 2000, seed: 7 });
});

test('random --set overrides never crash: ConfigError or a config', () => {
  const override = fc.tuple(fc.constantFrom(...keys, 'init.studentVariance', 'init.teacher', 'init.Q', 'a.b.c'), fc.oneof(fc.string({ maxLength: 6 }), fc.double().map(String), fc.constant('[[1]]'), fc.constant('{')))
    .map(([k, v]) => `${k}=${v}`);
  fc.assert(fc.property(fc.array(override, { maxLength: 4 }), (sets) => {
    try {
      parseConfig(applyOverrides({}, sets));
    } catch (e) {
      assert.ok(e instanceof ConfigError, `${(e as Error).name}: ${(e as Error).message} for ${sets.join(' ')}`);
    }
  }), { numRuns: 1000, seed: 8 });
});

test('random valid configs run the ODE to a stated end (completed, diverged or failed) with finite saved losses', () => {
  const valid = fc.record({
    activation: fc.constantFrom('square', 'erf', 'relu', 'linear'),
    readout: fc.constantFrom('mean', 'sum'),
    p: fc.integer({ min: 1, max: 4 }),
    pStar: fc.integer({ min: 1, max: 3 }),
    eta: fc.double({ min: 1e-3, max: 20, noNaN: true }),
    noise: fc.double({ min: 0, max: 1, noNaN: true }),
    alphaMax: fc.double({ min: 0.1, max: 20, noNaN: true }), // ≥ one SGD step at N ≥ 10
    N: fc.integer({ min: 10, max: 300 }),
    init: fc.record({ teacher: fc.constantFrom('gaussian', 'orthonormal'), studentVariance: fc.double({ min: 0, max: 5, noNaN: true }), seed: fc.integer({ min: 0, max: 100 }) }),
    savePoints: fc.constant(20),
  });
  fc.assert(fc.property(valid, (input) => {
    const config = parseConfig(input);
    const t = solveOde(makeProblem(config), initialCondition(config).overlaps);
    assert.ok(['completed', 'diverged', 'failed'].includes(t.status));
    if (t.status !== 'completed') assert.ok(t.message.length > 0);
    assert.ok(t.loss.every(Number.isFinite), `non-finite loss for ${JSON.stringify(input)}: ${t.message}`);
  }), { numRuns: 150, seed: 9 });
});

test('OnepassError is the base of every error the core throws on purpose', () => {
  assert.ok(new ConfigError('p', 'x') instanceof OnepassError);
});
