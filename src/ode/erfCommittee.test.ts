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
