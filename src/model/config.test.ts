import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig, applyOverrides } from './config.js';
import { ConfigError } from './errors.js';
import { saveGrid } from './problem.js';

const rejects = (input: unknown, pattern: RegExp) =>
  assert.throws(() => parseConfig(input), (e: unknown) => e instanceof ConfigError && pattern.test(e.message) && !e.message.includes('\n'));

test('defaults are the paper headline setup: square, p = 4, p* = 2, random small init, N = 2000', () => {
  const c = parseConfig({});
  assert.equal(c.activation, 'square');
  assert.equal(c.p, 4);
  assert.equal(c.pStar, 2);
  assert.equal(c.N, 2000);
  assert.deepEqual(c.init, { teacher: 'orthonormal', studentVariance: 1e-3, seed: 0 });
});

test('every bad field is named in a one-line message with what is allowed', () => {
  rejects({ p: 0 }, /^p: must be an integer ≥ 1/);
  rejects({ p: 2.5 }, /^p: must be an integer/);
  rejects({ pStar: 'two' }, /^pStar: .*integer/);
  rejects({ eta: -1 }, /^eta: must be > 0/);
  rejects({ noise: -0.1 }, /^noise: must be ≥ 0/);
  rejects({ activation: 'tanh' }, /^activation: must be one of: square/);
  rejects({ init: { teacher: 'gaussian', studentVariance: -1, seed: 0 } }, /^init\.studentVariance: must be ≥ 0/);
  rejects({ saveAt: [1, 0.5] }, /^saveAt\.1: must be strictly increasing/);
  rejects({ saveAt: [1, 100] }, /^saveAt: values must be ≤ alphaMax/);
  rejects({ N: 1e9, p: 8 }, /^N: .*needs [\d.]+ GiB/);
  rejects({ alphaMax: 'Infinity' }, /^alphaMax: must be a finite number/);
});

test('a number that overflows to ±Infinity (1e999 in a JSON file) is quoted as Infinity, not as null', () => {
  rejects(JSON.parse('{"eta": 1e999}'), /^eta: must be > 0 \(learning rate\) \(got Infinity\)$/);
  rejects(JSON.parse('{"noise": -1e999}'), /\(got -Infinity\)$/);
  rejects(JSON.parse('{"init": {"teacher": "orthonormal", "studentVariance": 1e999, "seed": 0}}'), /^init\.studentVariance: .*\(got Infinity\)$/);
});

test('seeds are any safe integers, negative and beyond 2³² included; anything else is a one-line error naming the seed', () => {
  for (const seed of [0, -1, 2 ** 32, -(2 ** 53 - 1), 2 ** 53 - 1]) {
    assert.equal(parseConfig({ seed }).seed, seed);
    assert.deepEqual(parseConfig({ init: { seed } }).init, { teacher: 'orthonormal', studentVariance: 1e-3, seed });
  }
  for (const bad of [2 ** 53, -(2 ** 60), 1.5, 1e300, '3', null]) {
    rejects({ seed: bad }, /^seed: must be an integer from -9007199254740991 to 9007199254740991 \(seed of the SGD samples\)/);
    rejects({ init: { seed: bad } }, /^init\.seed: must be an integer from -9007199254740991 to 9007199254740991 \(seed of the initial weights\)/);
  }
});

test('tolerances outside where the integrator\'s error control means something, and save grids with nothing after the start, are refused', () => {
  rejects({ rtol: 1e10 }, /^rtol: must be in \[1e-14, 1e-3\]/);
  rejects({ rtol: 1e-16 }, /^rtol: must be in \[1e-14, 1e-3\]/);
  rejects({ atol: 1e10 }, /^atol: must be > 0 and ≤ 1e-6/);
  rejects({ atol: 0 }, /^atol: must be > 0 and ≤ 1e-6/);
  rejects({ saveAt: [] }, /^saveAt: must contain at least one α ≥ 1\/\(2N\)/);
  rejects({ saveAt: [0] }, /^saveAt: must contain at least one α/);
  rejects({ saveAt: [0, 1e-4], N: 2000 }, /^saveAt: must contain at least one α/); // rounds to step 0
  assert.equal(parseConfig({ rtol: 1e-14, atol: 1e-6, saveAt: [0, 0.5] }).rtol, 1e-14);
  assert.equal(parseConfig({ rtol: 1e-3 }).rtol, 1e-3);
});

test('unknown keys are rejected with a did-you-mean', () => {
  rejects({ pstar: 2 }, /^pstar: unknown key \(did you mean "pStar"\?\)/);
  rejects({ init: { teacher: 'gaussian', studentVariance: 1, seed: 0, sed: 1 } }, /^init\.sed: unknown key \(did you mean "seed"\?\)/);
  rejects({ init: { teacher: 'gausian' } }, /^init\.teacher: must be "gaussian" or "orthonormal"/);
  rejects({ init: { Q: [[1]] } }, /^init\.M: must be a matrix/);
  rejects({ init: 5 }, /^init: must be either/);
});

test('explicit overlaps are checked for shape, symmetry and positive semidefiniteness', () => {
  const ok = { p: 2, pStar: 1, init: { Q: [[1, 0], [0, 1]], M: [[0.5], [0]], P: [[1]] } };
  assert.doesNotThrow(() => parseConfig(ok));
  rejects({ ...ok, init: { ...ok.init, Q: [[1, 0]] } }, /^init\.Q: must be 2×2/);
  rejects({ ...ok, init: { ...ok.init, Q: [[1, 0.2], [0, 1]] } }, /^init\.Q: must be symmetric/);
  rejects({ ...ok, init: { ...ok.init, M: [[2], [0]] } }, /^init: .*positive semidefinite.*smallest eigenvalue/);
});

test('--set overrides take dotted paths and JSON values', () => {
  const c = parseConfig(applyOverrides({ p: 3 }, ['init.studentVariance=1e-8', 'p=8', 'saveAt=[0,1,2]']));
  assert.equal(c.p, 8);
  assert.deepEqual(c.init, { teacher: 'orthonormal', studentVariance: 1e-8, seed: 0 });
  assert.deepEqual(c.saveAt, [0, 1, 2]);
  assert.throws(() => applyOverrides({}, ['p']), /--set: expected key=value/);
});

test('keys that reach the prototype (__proto__, constructor, prototype) are refused in --set paths, values and configs; Object.prototype stays clean', () => {
  const refused = (f: () => unknown, field: string) =>
    assert.throws(f, (e: unknown) => e instanceof ConfigError && e.field === field && /not allowed as a key/.test(e.message) && !e.message.includes('\n'));
  try {
    refused(() => applyOverrides({}, ['__proto__.polluted="yes"']), '__proto__');
    refused(() => applyOverrides({}, ['__proto__.eta=7']), '__proto__');
    refused(() => applyOverrides({}, ['constructor.prototype.polluted=1']), 'constructor');
    refused(() => applyOverrides({}, ['init.__proto__.polluted=1']), 'init.__proto__');
    refused(() => applyOverrides({}, ['init={"__proto__": {"polluted": 1}}']), '__proto__');
    // A JSON file can hold "__proto__" as an own key (JSON.parse does not treat it specially).
    refused(() => applyOverrides(JSON.parse('{"init": {"__proto__": {"polluted": 1}}}'), []), 'init.__proto__');
    refused(() => parseConfig(JSON.parse('{"__proto__": {"eta": 7}}')), '__proto__');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(({} as Record<string, unknown>).eta, undefined);
    // The objects built along --set paths have no prototype to reach.
    const built = applyOverrides({ init: { seed: 1 } }, ['init.teacher="gaussian"', 'a.b=1']);
    for (const o of [built, built.init, built.a]) assert.equal(Object.getPrototypeOf(o), null);
  } finally {
    delete (Object.prototype as Record<string, unknown>).polluted;
  }
});

test('a config nested deeper than any config can be is a one-line error naming where, in files and --set values alike', () => {
  // 10 000 nested lists: no config has more than a few levels (init.Q rows, a sweep list of them).
  const deep = JSON.parse('{"init": {"Q": ' + '['.repeat(10_000) + ']'.repeat(10_000) + '}}');
  const tooDeep = (f: () => unknown, field: RegExp) =>
    assert.throws(f, (e: unknown) => e instanceof ConfigError && field.test(e.field) && /nested more than 16 levels deep/.test(e.message) && !e.message.includes('\n') && e.message.length < 300);
  tooDeep(() => parseConfig(deep), /^init\.Q\.0\.0\./);
  tooDeep(() => applyOverrides(deep, []), /^init\.Q\.0\./);
  tooDeep(() => applyOverrides({}, ['init=' + '['.repeat(10_000) + ']'.repeat(10_000)]), /^0\.0\./);
  // Real configs are far from the bound: a sweep over explicit overlaps is 5 levels deep.
  const Q = [[1, 0], [0, 1]];
  assert.doesNotThrow(() => applyOverrides({}, [`init.Q=${JSON.stringify([Q, Q])}`]));
});

test('keys and values quoted in messages are cut to 60 characters with "…", and a megabyte key costs no did-you-mean work', () => {
  const long = 'x'.repeat(1_000_000);
  assert.throws(() => parseConfig({ [long]: 1 }), (e: unknown) =>
    e instanceof ConfigError && e.field === `${'x'.repeat(60)}…` && /unknown key \(allowed: /.test(e.message) && e.message.length < 400);
  assert.throws(() => parseConfig({ activation: 'y'.repeat(1000) }), (e: unknown) =>
    e instanceof ConfigError && e.message.includes(`(got "${'y'.repeat(59)}…)`) && e.message.length < 200);
  assert.throws(() => applyOverrides({}, [long]), (e: unknown) => e instanceof ConfigError && e.message.length < 200);
  // Typos are still caught, including one whose length differs from the key's.
  rejects({ aphaMax: 1 }, /did you mean "alphaMax"/);
  rejects({ initt: {} }, /did you mean "init"/);
});

test('a ragged overlap matrix is reported by row and length', () => {
  const ok = { p: 2, pStar: 2, init: { Q: [[1, 0], [0, 1]], M: [[0.5, 0], [0, 0.5]], P: [[1, 0], [0, 1]] } };
  rejects({ ...ok, init: { ...ok.init, M: [[0.5, 0], [0]] } }, /^init\.M: must be 2×2 \(p×p\*\); row 1 has 1 entries, expected 2$/);
  rejects({ ...ok, init: { ...ok.init, P: [[1, 0]] } }, /^init\.P: must be 2×2 \(p\*×p\*\); it has 1 rows, expected 2$/);
});

test('an orthonormal teacher with more rows than dimensions (p* > N) is refused; a Gaussian one is not', () => {
  rejects({ N: 2, pStar: 3, p: 3 }, /^pStar: an orthonormal teacher needs p\* ≤ N \(got p\* = 3, N = 2\)/);
  assert.doesNotThrow(() => parseConfig({ N: 3, pStar: 3, p: 3 }));
  assert.doesNotThrow(() => parseConfig({ N: 2, pStar: 3, p: 3, init: { teacher: 'gaussian' } }));
});

test('relu mixed with another activation is refused (its mixed expectations would be quadrature across the kink); smooth mixes and equal pairs are not', () => {
  rejects({ activation: 'relu', teacherActivation: 'erf' }, /^teacherActivation: relu cannot be mixed with erf .*use the same activation/);
  rejects({ activation: 'square', teacherActivation: 'relu' }, /^teacherActivation: relu cannot be mixed with square/);
  rejects({ activation: 'relu', teacherActivation: 'linear' }, /^teacherActivation: relu cannot be mixed with linear/);
  assert.doesNotThrow(() => parseConfig({ activation: 'relu', teacherActivation: 'relu' }));
  assert.doesNotThrow(() => parseConfig({ activation: 'square', teacherActivation: 'erf' }));
});

test('a run shorter than one SGD step, or save times that round to the same step, are refused (they were 0 steps with deviation 0, or merged points)', () => {
  rejects({ alphaMax: 1e-4, N: 2000 }, /^alphaMax: must round to at least one SGD step: runs end at the nearest whole step of 1\/N = 0\.0005, so alphaMax ≥ 0\.00025 \(got 0\.0001 with N = 2000\)$/);
  // The bound the message states is the behaviour: 0.0004 at N = 2000 is 0.8 of a step, run as one step to α = 0.0005.
  assert.deepEqual([...saveGrid(parseConfig({ alphaMax: 4e-4, N: 2000 }))], [0, 5e-4]);
  rejects({ alphaMax: 2.4e-4, N: 2000 }, /^alphaMax: must round to at least one SGD step/);
  rejects({ alphaMax: 1, N: 2000, saveAt: [0.1, 0.1001, 0.5] }, /^saveAt\.1: α = 0\.1 and 0\.1001 fall on the same SGD step/);
  assert.doesNotThrow(() => parseConfig({ alphaMax: 1e-3, N: 2000 }));
  assert.doesNotThrow(() => parseConfig({ alphaMax: 1, N: 2000, saveAt: [0.1, 0.1005, 0.5] }));
});

test('the default save grid starts at α = 0, ends at alphaMax, is increasing and made of whole SGD steps', () => {
  const c = parseConfig({});
  const g = saveGrid(c);
  assert.equal(g[0], 0);
  assert.equal(g[g.length - 1], c.alphaMax);
  for (let i = 1; i < g.length; i++) assert.ok(g[i] > g[i - 1]);
  for (const a of g) assert.ok(Math.abs(a * c.N - Math.round(a * c.N)) < 1e-9);
});
