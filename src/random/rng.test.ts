import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from './rng.js';

test('the same seed gives the same numbers; another seed gives others', () => {
  const a = new Rng(42).fillGaussian(new Float64Array(1000));
  const b = new Rng(42).fillGaussian(new Float64Array(1000));
  const c = new Rng(43).fillGaussian(new Float64Array(1000));
  assert.deepEqual(a, b);
  assert.ok(a.some((v, i) => v !== c[i]));
});

test('fillGaussian yields exactly the stream of repeated gaussian() calls, and the state round-trips', () => {
  const r1 = new Rng(7), r2 = new Rng(7);
  const bulk = r1.fillGaussian(new Float64Array(100_000));
  for (let i = 0; i < bulk.length; i++) assert.equal(bulk[i], r2.gaussian());
  const saved = r1.getState();
  const next = r1.gaussian();
  const r3 = new Rng(0);
  r3.setState(saved);
  assert.equal(r3.gaussian(), next);
});

test('ziggurat normals have mean 0, variance 1 and kurtosis 3 within 4σ, and the right tail mass beyond 1, 2, 3 and 4 (2·10⁶ draws)', () => {
  const n = 2_000_000;
  const x = new Rng(2024).fillGaussian(new Float64Array(n));
  let m1 = 0, m2 = 0, m4 = 0;
  const beyond = [1, 2, 3, 4].map(() => 0);
  for (const v of x) {
    m1 += v; m2 += v * v; m4 += v ** 4;
    [1, 2, 3, 4].forEach((t, k) => { if (Math.abs(v) > t) beyond[k]++; });
  }
  m1 /= n; m2 /= n; m4 /= n;
  assert.ok(Math.abs(m1) < 4 / Math.sqrt(n), `mean ${m1}`);
  assert.ok(Math.abs(m2 - 1) < 4 * Math.sqrt(2 / n), `variance ${m2}`);
  assert.ok(Math.abs(m4 - 3) < 4 * Math.sqrt(96 / n), `fourth moment ${m4}`);
  // P(|Z| > t) = erfc(t/√2)
  const tails = [0.31731050786291415, 0.04550026389635842, 0.0026997960632601866, 6.334248366623984e-5];
  tails.forEach((p, k) => {
    const se = Math.sqrt((p * (1 - p)) / n);
    assert.ok(Math.abs(beyond[k] / n - p) < 4 * se, `P(|Z| > ${k + 1}) = ${beyond[k] / n}, expected ${p} ± ${se}`);
  });
});
