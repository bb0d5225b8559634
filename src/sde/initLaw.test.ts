import { test } from 'node:test';
import assert from 'node:assert/strict';
import { drawInitialOverlaps } from './initLaw.js';
import { Rng } from '../random/rng.js';

test('initial overlaps drawn from their law have the moments of Gaussian weights: E Q = σ² I, Var Q_kk = 2σ⁴/N, Var Q_kl = σ⁴/N, Var M_kj = σ²/N (4000 draws, within 4.5 standard errors)', () => {
  const p = 3, pStar = 2, N = 40, s2 = 0.01, n = 4000;
  const rng = new Rng(2, 'initOverlaps', 0);
  const acc = { q00: [0, 0], q01: [0, 0], m00: [0, 0], q00sq: [0, 0], q01sq: [0, 0], m00sq: [0, 0] };
  const stats = (name: keyof typeof acc, v: number) => { acc[name][0] += v; acc[name][1] += v * v; };
  for (let i = 0; i < n; i++) {
    const o = drawInitialOverlaps(p, pStar, N, s2, 'orthonormal', rng);
    stats('q00', o.Q[0]); stats('q01', o.Q[1]); stats('m00', o.M[0]);
    stats('q00sq', (o.Q[0] - s2) ** 2); stats('q01sq', o.Q[1] ** 2); stats('m00sq', o.M[0] ** 2);
    assert.equal(o.P[0], 1);
  }
  const check = (name: keyof typeof acc, want: number) => {
    const m = acc[name][0] / n, se = Math.sqrt(Math.max(acc[name][1] / n - m * m, 0) / n);
    assert.ok(Math.abs(m - want) < 4.5 * se, `${name}: ${m} ± ${se}, want ${want}`);
  };
  check('q00', s2); check('q01', 0); check('m00', 0);
  check('q00sq', (2 * s2 * s2) / N); check('q01sq', (s2 * s2) / N); check('m00sq', s2 / N);
});

test('a Gaussian teacher has P = Wishart/N: E P = I, Var P_00 = 2/N', () => {
  const rng = new Rng(4, 'initOverlaps', 0), n = 4000, N = 30;
  let s = 0, s2 = 0;
  for (let i = 0; i < n; i++) { const P00 = drawInitialOverlaps(2, 2, N, 1e-3, 'gaussian', rng).P[0]; s += P00; s2 += (P00 - 1) ** 2; }
  assert.ok(Math.abs(s / n - 1) < 4.5 * Math.sqrt(2 / N / n));
  assert.ok(Math.abs(s2 / n - 2 / N) < 0.15 * (2 / N));
});
