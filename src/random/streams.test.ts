import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STREAM, streamState, mix64, derivedSeed, textKey, type StreamPurpose } from './streams.js';
import { Rng } from './rng.js';

const purposes = Object.keys(STREAM) as StreamPurpose[];
const MASK64 = (1n << 64n) - 1n;
const GAMMA = 0x9e3779b97f4a7c15n;

test('SplitMix64\'s output function gives the published SplitMix64 sequence from state 0', () => {
  // SplitMix64 (Steele, Lea & Flood 2014) seeded with 0 returns mix(γ), mix(2γ), mix(3γ), …
  assert.equal(mix64(GAMMA), 0xe220a8397b1dcdafn);
  assert.equal(mix64((2n * GAMMA) & MASK64), 0x6e789e6aa1b965f4n);
  assert.equal(mix64((3n * GAMMA) & MASK64), 0x06c45d188009454fn);
});

test('xoshiro128** from the state (1, 2, 3, 4) gives the reference sequence 11520, 0, 5927040, 70819200', () => {
  const r = new Rng(0);
  r.setState([1, 2, 3, 4]);
  assert.deepEqual([r.nextUint32(), r.nextUint32(), r.nextUint32(), r.nextUint32()], [11520, 0, 5927040, 70819200]);
});

test('a stream\'s state is the documented Feistel bijection of (seed mod 2⁶⁴, purpose·2⁵³ + index): undoing the rounds gives the triple back', () => {
  for (const [seed, purpose, index] of [[0, 'general', 0], [-1, 'sgdInputs', 3], [2 ** 32, 'teacherWeights', 0], [2 ** 53 - 1, 'sweepPoint', 2 ** 53 - 1], [-(2 ** 53 - 1), 'labelNoise', 9999]] as const) {
    const s = streamState(seed, purpose, index).map((w) => BigInt(w >>> 0));
    let a = s[0] | (s[1] << 32n), b = s[2] | (s[3] << 32n);
    a ^= mix64((b + 4n * GAMMA) & MASK64);
    b ^= mix64((a + 3n * GAMMA) & MASK64);
    a ^= mix64((b + 2n * GAMMA) & MASK64);
    b ^= mix64((a + GAMMA) & MASK64);
    assert.equal(a, BigInt.asUintN(64, BigInt(seed)), `seed of (${seed}, ${purpose}, ${index})`);
    assert.equal(b, (BigInt(STREAM[purpose]) << 53n) | BigInt(index), `purpose and index of (${seed}, ${purpose}, ${index})`);
  }
});

test('distinct triples give distinct states: 0 and 2³², s + 1 and run 1 of s, equal seeds of different purposes, negative seeds', () => {
  const seeds = [-3, -2, -1, 0, 1, 2, 3, 2 ** 32, 2 ** 32 + 1, -(2 ** 32), 2 ** 53 - 1, -(2 ** 53 - 1)];
  const seen = new Map<string, string>();
  for (const seed of seeds) for (const purpose of purposes) for (let index = 0; index < 10; index++) {
    const key = streamState(seed, purpose, index).join();
    assert.equal(seen.get(key), undefined, `(${seed}, ${purpose}, ${index}) has the state of ${seen.get(key)}`);
    seen.set(key, `(${seed}, ${purpose}, ${index})`);
  }
  assert.equal(seen.size, seeds.length * purposes.length * 10);
  const draws = (seed: number, purpose: StreamPurpose, index: number) => new Rng(seed, purpose, index).fillGaussian(new Float64Array(64));
  assert.notDeepEqual(draws(0, 'general', 0), draws(2 ** 32, 'general', 0));
  assert.notDeepEqual(draws(5, 'sgdInputs', 1), draws(6, 'sgdInputs', 0));
  assert.notDeepEqual(draws(5, 'sgdInputs', 0), draws(5, 'teacherWeights', 0));
});

test('streams of neighbouring triples are uncorrelated: first draws of 20 000 pairs correlate within 4/√n, each N(0, 1)', () => {
  const n = 20_000;
  const pairs: [string, (k: number) => [Rng, Rng]][] = [
    ['run 1 of seed k vs run 0 of seed k + 1', (k) => [new Rng(k, 'sgdInputs', 1), new Rng(k + 1, 'sgdInputs', 0)]],
    ['inputs vs teacher weights of the same seed', (k) => [new Rng(k, 'sgdInputs', 0), new Rng(k, 'teacherWeights', 0)]],
    ['inputs vs student weights of the same seed', (k) => [new Rng(k, 'sgdInputs', 0), new Rng(k, 'studentWeights', 0)]],
    ['inputs vs label noise of the same run', (k) => [new Rng(k, 'sgdInputs', k % 7), new Rng(k, 'labelNoise', k % 7)]],
    ['seed k vs seed k + 2³²', (k) => [new Rng(k), new Rng(k + 2 ** 32)]],
    ['seed k vs seed −k − 1', (k) => [new Rng(k), new Rng(-k - 1)]],
  ];
  for (const [name, make] of pairs) {
    let sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    for (let k = 0; k < n; k++) {
      const [a, b] = make(k);
      const x = a.gaussian(), y = b.gaussian();
      sx += x; sy += y; sxx += x * x; syy += y * y; sxy += x * y;
    }
    const mx = sx / n, my = sy / n;
    const rho = (sxy / n - mx * my) / Math.sqrt((sxx / n - mx * mx) * (syy / n - my * my));
    assert.ok(Math.abs(rho) < 4 / Math.sqrt(n), `${name}: correlation ${rho}`);
    assert.ok(Math.abs(mx) < 4 / Math.sqrt(n) && Math.abs(sxx / n - 1) < 4 * Math.sqrt(2 / n), `${name}: first draws mean ${mx}, variance ${sxx / n}`);
  }
});

test('seeds outside the safe integers and bad indices are refused, not wrapped, as engine bugs (configs check seeds first)', () => {
  // A plain Error, not a RangeError: the CLI treats only OnepassError as the user's to fix.
  const bug = (pattern: RegExp) => (e: unknown) => e instanceof Error && e.constructor === Error && pattern.test(e.message);
  assert.throws(() => streamState(2 ** 53, 'general'), bug(/^seed must be an integer/));
  assert.throws(() => streamState(1.5, 'general'), bug(/^seed must be an integer/));
  assert.throws(() => streamState(Number.NaN, 'general'), bug(/^seed must be an integer/));
  assert.throws(() => streamState(0, 'general', -1), bug(/^stream index must be/));
  assert.throws(() => streamState(0, 'general', 2 ** 53), bug(/^stream index must be/));
  assert.throws(() => streamState(0, 'nonsense' as StreamPurpose), bug(/^unknown stream purpose "nonsense"/));
});

test('derived seeds are safe non-negative integers, distinct for distinct keys; text keys separate near-identical texts', () => {
  const keys = ['{"eta":0.1}', '{"eta":0.2}', '{"eta":0.10}', '{"eta":0.1,"p":2}', '', '{}'].map(textKey);
  assert.equal(new Set(keys).size, keys.length);
  assert.ok(keys.every((k) => Number.isSafeInteger(k) && k >= 0));
  const derived = keys.flatMap((k) => [0, 1, 2 ** 32].map((s) => derivedSeed(s, 'sweepPoint', k)));
  assert.equal(new Set(derived).size, derived.length);
  assert.ok(derived.every((s) => Number.isSafeInteger(s) && s >= 0));
});
