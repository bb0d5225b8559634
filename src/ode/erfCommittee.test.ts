import { test } from 'node:test';
import assert from 'node:assert/strict';
import { erfCommitteeRhs } from './erfCommittee.js';
import { genericCommitteeRhs } from './committee.js';
import { erfActivation } from '../gauss/erf.js';
import { makeNetwork } from '../model/network.js';
import { Rng } from '../random/rng.js';
import { randomOverlapState } from '../testing/overlaps.js';

test('the regrouped erf committee right-hand side equals the term-by-term one to 1e-12 (random states, trained readout, decay, noise)', () => {
  const rng = new Rng(3, 'general');
  for (const [p, pStar] of [[1, 1], [3, 2], [5, 3]]) {
    const v = Float64Array.from({ length: p }, () => rng.gaussian());
    const net = makeNetwork(p, pStar, erfActivation, erfActivation, 'sum', Array.from({ length: pStar }, () => rng.gaussian()), Array.from(v));
    const { y, P } = randomOverlapState(p, pStar, rng, v);
    const params = { p, pStar, eta: 0.7, noise: 0.05, P, weightDecay: 0.01, secondLayerRate: 0.3 };
    const a = new Float64Array(y.length), b = new Float64Array(y.length);
    erfCommitteeRhs(params, net)(y, a);
    genericCommitteeRhs(params, net)(y, b);
    const scale = Math.max(...b.map(Math.abs));
    a.forEach((x, i) => assert.ok(Math.abs(x - b[i]) <= 1e-12 * scale, `p = ${p}, p* = ${pStar}, component ${i}: ${x} vs ${b[i]}`));
  }
});

test('the arcsine sums give the same bits in the WebAssembly kernel and in its JavaScript twin, with arguments on both sides of ½ and n odd and even', async () => {
  const { erfNoiseSums } = await import('./erfCommittee.js');
  const { randomCovariance } = await import('../testing/stats.js');
  const rng = new Rng(17, 'general');
  for (const [p, pStar, scale] of [[1, 1, 1], [4, 2, 20], [5, 2, 20], [6, 3, 0.3]]) {
    const n = p + pStar;
    const C = randomCovariance(n, rng).map((x) => x * scale);
    const a = Float64Array.from({ length: n }, (_, i) => 1 + C[i * n + i]);
    const c = Float64Array.from({ length: n }, () => rng.gaussian());
    // The arguments x = Λ₀/√(Λ₁Λ₂) of every I4 (erf.ts): the kernel's slow lane path runs where |x| > ½.
    let above = 0;
    for (let k = 0; k < p; k++) for (let l = k; l < p; l++) for (let u = 0; u < n; u++) for (let w = u; w < n; w++) {
      const idx = [k, l, u, w], sub = Float64Array.from({ length: 16 }, (_, m) => C[idx[m >> 2] * n + idx[m & 3]]);
      const l4 = (1 + sub[0]) * (1 + sub[5]) - sub[1] ** 2;
      const l0 = l4 * sub[11] - sub[6] * sub[7] * (1 + sub[0]) - sub[2] * sub[3] * (1 + sub[5]) + sub[1] * sub[2] * sub[7] + sub[1] * sub[3] * sub[6];
      const l1 = l4 * (1 + sub[10]) - sub[6] ** 2 * (1 + sub[0]) - sub[2] ** 2 * (1 + sub[5]) + 2 * sub[1] * sub[2] * sub[6];
      const l2 = l4 * (1 + sub[15]) - sub[7] ** 2 * (1 + sub[0]) - sub[3] ** 2 * (1 + sub[5]) + 2 * sub[1] * sub[3] * sub[7];
      if (Math.abs(l0 / Math.sqrt(l1 * l2)) > 0.5) above++;
    }
    if (scale > 1) assert.ok(above > 0, `p = ${p}: no argument above ½, the slow path is not exercised`);
    const kernel = erfNoiseSums(p, n), js = erfNoiseSums(p, n, false);
    assert.equal(kernel.wasm, true, 'Node has WebAssembly SIMD');
    const S1 = new Float64Array(p * p), S2 = new Float64Array(p * p);
    kernel.run(C, c, a, S1);
    js.run(C, c, a, S2);
    for (let k = 0; k < p; k++) for (let l = k; l < p; l++) assert.ok(Object.is(S1[k * p + l], S2[k * p + l]) && Number.isFinite(S1[k * p + l]), `p = ${p}, (${k}, ${l}): ${S1[k * p + l]} vs ${S2[k * p + l]}`);
  }
});
