import { test } from 'node:test';
import assert from 'node:assert/strict';
import { weightsWithOverlaps, teacherWeights, studentWeights } from './init.js';
import { overlapsOf, type Overlaps } from './overlaps.js';
import { Rng } from '../random/rng.js';
import { ConfigError } from './errors.js';

test('weightsWithOverlaps realises the requested overlaps to 1e-12, including a rank-deficient (semidefinite) case', () => {
  const cases: Overlaps[] = [
    { p: 2, pStar: 1, Q: Float64Array.of(1, 0.3, 0.3, 0.5), M: Float64Array.of(0.4, -0.2), P: Float64Array.of(1) },
    // student 0 = teacher exactly: C is singular
    { p: 2, pStar: 1, Q: Float64Array.of(1, 0, 0, 0.2), M: Float64Array.of(1, 0), P: Float64Array.of(1) },
  ];
  for (const o of cases) {
    const w = overlapsOf(weightsWithOverlaps(o, 300, new Rng(5)));
    for (const k of ['Q', 'M', 'P'] as const) o[k].forEach((v, i) => assert.ok(Math.abs(w[k][i] - v) < 1e-12, `${k}[${i}]: ${w[k][i]} vs ${v}`));
  }
});

test('an orthonormal teacher has P = I exactly; a small student has Q ≈ σ²I and M = O(σ/√N)', () => {
  const N = 4000, rng = new Rng(3);
  const T = teacherWeights('orthonormal', 3, N, rng);
  const W = studentWeights(4, N, 1e-4, rng);
  const o = overlapsOf({ N, p: 4, pStar: 3, W, teacher: T });
  o.P.forEach((v, i) => assert.ok(Math.abs(v - (i % 4 === 0 ? 1 : 0)) < 1e-12));
  for (let k = 0; k < 4; k++) assert.ok(Math.abs(o.Q[k * 4 + k] / 1e-4 - 1) < 5 * Math.sqrt(2 / N));
  // M_kj ~ N(0, σ²/N): 5 standard deviations
  o.M.forEach((m) => assert.ok(Math.abs(m) < 5 * Math.sqrt(1e-4 / N)));
});

test('explicit overlaps in fewer than p + p* dimensions are refused as a field error on N', () => {
  const o: Overlaps = { p: 2, pStar: 2, Q: Float64Array.of(1, 0, 0, 1), M: new Float64Array(4), P: Float64Array.of(1, 0, 0, 1) };
  assert.throws(() => weightsWithOverlaps(o, 3, new Rng(1)), (e: unknown) => e instanceof ConfigError && e.field === 'N' && /≥ p \+ p\* = 4/.test(e.message));
});
