import { test } from 'node:test';
import assert from 'node:assert/strict';
import { erfCommitteeRhs } from './erfCommittee.js';
import { genericCommitteeRhs } from './committee.js';
import { erfActivation } from '../gauss/erf.js';
import { makeNetwork } from '../model/network.js';
import { Rng } from '../random/rng.js';

test('the regrouped erf committee right-hand side equals the term-by-term one to 1e-12 (random states, trained readout, decay, noise)', () => {
  const rng = new Rng(3, 'general');
  for (const [p, pStar] of [[1, 1], [3, 2], [5, 3]]) {
    // A random positive-definite joint covariance from random weights (N = 7 dimensions).
    const n = p + pStar, N = 7;
    const W = Float64Array.from({ length: n * N }, () => rng.gaussian());
    const cov = (i: number, j: number) => { let s = 0; for (let m = 0; m < N; m++) s += W[i * N + m] * W[j * N + m]; return s / N; };
    const P = Float64Array.from({ length: pStar * pStar }, (_, m) => cov(p + Math.floor(m / pStar), p + (m % pStar)));
    const v = Float64Array.from({ length: p }, () => rng.gaussian());
    const net = makeNetwork(p, pStar, erfActivation, erfActivation, 'sum', Array.from({ length: pStar }, () => rng.gaussian()), Array.from(v));
    const y = new Float64Array(p * p + p * pStar + p);
    for (let k = 0; k < p; k++) {
      for (let l = 0; l < p; l++) y[k * p + l] = cov(k, l);
      for (let j = 0; j < pStar; j++) y[p * p + k * pStar + j] = cov(k, p + j);
    }
    y.set(v, p * p + p * pStar);
    const params = { p, pStar, eta: 0.7, noise: 0.05, P, weightDecay: 0.01, secondLayerRate: 0.3 };
    const a = new Float64Array(y.length), b = new Float64Array(y.length);
    erfCommitteeRhs(params, net)(y, a);
    genericCommitteeRhs(params, net)(y, b);
    const scale = Math.max(...b.map(Math.abs));
    a.forEach((x, i) => assert.ok(Math.abs(x - b[i]) <= 1e-12 * scale, `p = ${p}, p* = ${pStar}, component ${i}: ${x} vs ${b[i]}`));
  }
});
