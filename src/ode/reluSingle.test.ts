import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reluSinglePerpForm, isSingleRelu } from './reluSingle.js';
import { committeeRhs, committeePopulationLoss } from './committee.js';
import { reluActivation } from '../gauss/relu.js';
import { makeNetwork } from '../model/network.js';

const net = makeNetwork(1, 1, reluActivation, reluActivation, 'sum');

/** Student at angle θ to the teacher: Q = q, M = √(qP) cos θ (θ > π/2: negative overlap). */
function overlapsAt(q: number, P: number, theta: number) {
  return { p: 1, pStar: 1, Q: Float64Array.of(q), M: Float64Array.of(Math.sqrt(q * P) * Math.cos(theta)), P: Float64Array.of(P) };
}

// Angles on both sides of the series/direct switch at θ = 1/2, and past π/2.
const ANGLES = [0.05, 0.3, 0.4999, 0.5001, 1.2, 2.5];

test('the (Q⊥, M) ReLU equations equal the generic ones mapped by dQ⊥ = dQ − 2(M/P) dM, to 1e-13, with and without label noise, weight decay and the η² term', () => {
  for (const theta of ANGLES) for (const [noise, weightDecay, sgdNoise] of [[0, 0, true], [0.2, 0.05, true], [0.2, 0, false]] as const) {
    const o = overlapsAt(0.7, 1.3, theta);
    const params = { p: 1, pStar: 1, eta: 0.6, noise, weightDecay, sgdNoise, P: o.P };
    const slow = new Float64Array(2);
    committeeRhs(params, net)(Float64Array.of(o.Q[0], o.M[0]), slow);
    const expected = [slow[0] - (2 * o.M[0] * slow[1]) / o.P[0], slow[1]];
    const form = reluSinglePerpForm(params);
    const fast = new Float64Array(2);
    form.rhs(form.toPerp(o.Q, o.M), fast);
    const scale = Math.max(...slow.map(Math.abs));
    expected.forEach((e, i) => assert.ok(Math.abs(fast[i] - e) < 1e-13 * scale, `θ = ${theta}, Δ = ${noise}, λ = ${weightDecay}, component ${i}: ${fast[i]} vs ${e}`));
  }
});

test('the (Q⊥, M) ReLU loss equals the generic one to 1e-13 relative away from the solution, and its floor is a rounding bound (a few ulps of ε there)', () => {
  for (const theta of ANGLES) {
    const o = overlapsAt(0.7, 1.3, theta);
    const form = reluSinglePerpForm({ p: 1, pStar: 1, eta: 0.6, noise: 0.1, P: o.P });
    const { loss, floor } = form.lossAndFloor(form.toPerp(o.Q, o.M));
    const ref = committeePopulationLoss(o, net, 0.1);
    assert.ok(Math.abs(loss - ref) < 1e-13 * ref, `θ = ${theta}: ${loss} vs ${ref}`);
    assert.ok(floor >= Number.EPSILON / 2 * ref && floor < 1e-14 * ref, `θ = ${theta}: floor ${floor} for ε = ${ref}`);
    assert.ok(Math.abs(form.toQ(form.toPerp(o.Q, o.M))[0] - o.Q[0]) < 1e-15);
  }
});

test('a zero student does not move (H(0) = 0, as in the simulation) and its loss is P/4 + Δ/2', () => {
  const form = reluSinglePerpForm({ p: 1, pStar: 1, eta: 0.6, noise: 0.2, P: Float64Array.of(1.5) });
  const dy = Float64Array.of(9, 9);
  form.rhs(Float64Array.of(0, 0), dy);
  assert.deepEqual(Array.from(dy), [0, 0]);
  assert.equal(form.lossAndFloor(Float64Array.of(0, 0)).loss, 1.5 / 4 + 0.1);
});

test('the form covers exactly one ReLU unit learning one, with unit readout weights', () => {
  assert.ok(isSingleRelu(net));
  assert.ok(isSingleRelu(makeNetwork(1, 1, reluActivation, reluActivation, 'mean')));
  assert.ok(!isSingleRelu(makeNetwork(2, 1, reluActivation, reluActivation, 'sum')));
  assert.ok(!isSingleRelu(makeNetwork(1, 1, reluActivation, reluActivation, 'sum', [2])));
});
