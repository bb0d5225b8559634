import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sampledNoise } from './sampledNoise.js';
import { quadraticNoise } from './quadraticNoise.js';
import { makeNetwork } from '../model/network.js';
import { activationByName } from '../gauss/activations.js';
import { randomOverlaps } from '../testing/stats.js';
import { Rng } from '../random/rng.js';

/*
 * The sampled increment δ of sampledNoise.ts (2) at scale 1 has E[δδᵀ] = Cov Z exactly, for any
 * number of samples S. For σ = z² with the mean readout, Cov Z is known exactly
 * (quadraticNoise.ts): 20 000 draws with S = 4 (where a biased 1/S normalisation would be 25 %
 * low) must match every one of its 78 entries within 4.5 standard errors of the draws' mean.
 */
test('the sampled SDE noise is unbiased: E[δδᵀ] over 20 000 draws of S = 4 samples matches the exact covariance of the quadratic network (p = 3, p* = 2, η = 1, Δ = 0.3) entry by entry; the 1/S normalisation is rejected', () => {
  const p = 3, pStar = 2, eta = 1, noise = 0.3, S = 4, draws = 20000;
  const o = randomOverlaps(p, pStar, new Rng(11));
  const exact = quadraticNoise(p, pStar, eta, noise, o.P);
  const D = exact.layout.dim, mean = new Float64Array(D), cov = new Float64Array(D * D);
  exact.moments(o.Q, o.M, mean, cov);
  const net = makeNetwork(p, pStar, activationByName('square'));
  const nz = sampledNoise(net, pStar, noise, o.P, false, S);
  assert.equal(nz.dim, D);
  const sum = new Float64Array(D * D), sum2 = new Float64Array(D * D), d = new Float64Array(D);
  const rng = new Rng(2, 'sdeNoise', 0);
  for (let k = 0; k < draws; k++) {
    nz.draw(o.Q, o.M, net.v, eta, 0, 1, rng, d);
    for (let i = 0; i < D; i++) for (let j = i; j < D; j++) { const x = d[i] * d[j]; sum[i * D + j] += x; sum2[i * D + j] += x * x; }
  }
  const maxZ = (factor: number) => {
    let worst = 0;
    for (let i = 0; i < D; i++) for (let j = i; j < D; j++) {
      const m = sum[i * D + j] / draws, se = Math.sqrt((sum2[i * D + j] / draws - m * m) / draws);
      worst = Math.max(worst, Math.abs(factor * m - cov[i * D + j]) / (factor * se));
    }
    return worst;
  };
  assert.ok(maxZ(1) < 4.5, `largest |z| ${maxZ(1)}`);
  assert.ok(maxZ((S - 1) / S) > 6, `the biased 1/S estimate is not rejected: largest |z| ${maxZ((S - 1) / S)}`);
});
