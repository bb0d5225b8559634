import { test } from 'node:test';
import assert from 'node:assert/strict';
import { squareExpectations as E, squareExactExpectations } from './square.js';
import { dd, toNumber } from './dd.js';
import { gaussianMoment } from './isserlis.js';
import { Rng } from '../random/rng.js';
import { gaussianSampler, monteCarlo, randomCovariance } from '../testing/stats.js';

test('Isserlis moments reproduce the textbook values E[z⁴] = 3, E[z⁶] = 15, E[a²b²] = C_aa C_bb + 2C_ab²', () => {
  assert.equal(gaussianMoment([0, 0, 0, 0], [1], 1), 3);
  assert.equal(gaussianMoment([0, 0, 0, 0, 0, 0], [1], 1), 15);
  assert.equal(gaussianMoment([0, 0, 0], [1], 1), 0);
  const C = [2, 0.5, 0.5, 3];
  assert.ok(Math.abs(gaussianMoment([0, 0, 1, 1], C, 2) - (2 * 3 + 2 * 0.25)) < 1e-15);
});

test('square-activation expectations equal their Wick-moment definitions exactly', () => {
  const rng = new Rng(11);
  for (let trial = 0; trial < 5; trial++) {
    const C2 = randomCovariance(2, rng), C3 = randomCovariance(3, rng);
    // σ(z) = z², σ'(z) = 2z
    assert.ok(Math.abs(E.I2(C2) - gaussianMoment([0, 0, 1, 1], C2, 2)) < 1e-13);
    assert.ok(Math.abs(E.J2(C2) - 4 * gaussianMoment([0, 1], C2, 2)) < 1e-13);
    assert.ok(Math.abs(E.I3(C3) - 2 * gaussianMoment([0, 1, 2, 2], C3, 3)) < 1e-13);
  }
});

test('square-activation expectations agree with Monte-Carlo within 4 standard errors (2·10⁵ samples)', () => {
  const rng = new Rng(12);
  const C = randomCovariance(4, rng);
  const sub = (idx: number[]) => {
    const k = idx.length, out = new Float64Array(k * k);
    for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) out[a * k + b] = C[idx[a] * 4 + idx[b]];
    return out;
  };
  const [i2, j2, i3, i4] = monteCarlo(200_000, gaussianSampler(C, 4, rng), 4, [
    (z) => z[0] ** 2 * z[1] ** 2,
    (z) => 2 * z[0] * 2 * z[1],
    (z) => 2 * z[0] * z[1] * z[2] ** 2,
    (z) => 2 * z[0] * 2 * z[1] * z[2] ** 2 * z[3] ** 2,
  ]);
  const exact = [E.I2(sub([0, 1])), E.J2(sub([0, 1])), E.I3(sub([0, 1, 2])), E.I4(C)];
  [i2, j2, i3, i4].forEach((mc, k) => {
    const z = Math.abs(mc.mean - exact[k]) / mc.se;
    assert.ok(z < 4, `expectation ${k}: closed form ${exact[k]}, Monte-Carlo ${mc.mean} ± ${mc.se} (${z.toFixed(1)}σ)`);
  });
});

test('the double-double square expectations equal the Wick moments (isserlis.ts) at a fixed covariance', () => {
  const C = [1.2, 0.3, 0.5, 0.4, 0.3, 0.9, 0.2, 0.6, 0.5, 0.2, 1.0, 0.35, 0.4, 0.6, 0.35, 1.1];
  const x = toNumber(squareExactExpectations.I4(C.map((c) => dd(c))));
  assert.ok(Math.abs(x - gaussianMoment([0, 1, 2, 2, 3, 3], C, 4) * 4) <= 1e-15 * Math.abs(x), `${x} vs ${gaussianMoment([0, 1, 2, 2, 3, 3], C, 4) * 4}`);
  const C3 = [1.2, 0.3, 0.5, 0.3, 0.9, 0.2, 0.5, 0.2, 1.0];
  const y = toNumber(squareExactExpectations.I3(C3.map((c) => dd(c))));
  assert.ok(Math.abs(y - E.I3(C3)) <= 1e-15 * Math.abs(y));
});
