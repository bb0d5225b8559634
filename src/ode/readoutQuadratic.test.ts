import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readoutQuadraticRhs, readoutQuadraticLossAndFloor } from './readoutQuadratic.js';
import { committeeRhs, committeeLossAndFloor } from './committee.js';
import { stateSize } from './equations.js';
import { square } from '../gauss/square.js';
import { makeNetwork } from '../model/network.js';
import { Rng } from '../random/rng.js';
import { randomOverlaps } from '../testing/stats.js';
import { parseConfig } from '../model/config.js';
import { makeProblem, initialCondition } from '../model/problem.js';
import { solveOde } from './solve.js';

test('closed form for σ = z² with any readouts equals the generic Wick sums to 1e-12: fixed v, v*, teacher weights, a trained second layer, noise, weight decay, with and without the SGD noise', () => {
  const rng = new Rng(41);
  for (const [p, pStar, train, sgdNoise] of [[1, 1, false, true], [3, 2, false, true], [4, 3, true, true], [2, 5, true, false], [5, 2, false, false]] as const) {
    const { Q, M, P } = randomOverlaps(p, pStar, rng);
    const y = new Float64Array(stateSize(p, pStar, train));
    y.set(Q);
    y.set(M, p * p);
    const v = Array.from({ length: p }, () => rng.gaussian()), vStar = Array.from({ length: pStar }, () => 0.5 + rng.uniform());
    if (train) y.set(v, p * p + p * pStar);
    const net = makeNetwork(p, pStar, square, square, 'mean', vStar, v);
    const params = { p, pStar, eta: 0.6, noise: 0.2, P, weightDecay: 0.07, sgdNoise, ...(train ? { secondLayerRate: 0.3 } : {}) };
    const fast = new Float64Array(y.length), slow = new Float64Array(y.length);
    readoutQuadraticRhs(params, net)(y, fast);
    committeeRhs(params, net)(y, slow);
    const scale = Math.max(...slow.map(Math.abs));
    fast.forEach((x, i) => assert.ok(Math.abs(x - slow[i]) < 1e-12 * scale, `p = ${p}, p* = ${pStar}, train ${train}, component ${i}: ${x} vs ${slow[i]}`));
  }
});

test('teacher readout weights and a trained second layer at p = 16 run on the closed form: a whole trajectory, its loss falling tenfold', () => {
  for (const extra of [{ teacherReadout: [1, 0.5] }, { trainSecondLayer: true, readout: 'sum' as const }]) {
    const c = parseConfig({ p: 16, pStar: 2, eta: 'trainSecondLayer' in extra ? 0.05 : 0.5, alphaMax: 100, savePoints: 20, ...extra });
    const t = solveOde(makeProblem(c), initialCondition(c).overlaps);
    assert.equal(t.status, 'completed', t.message);
    assert.ok(t.loss[t.loss.length - 1] < 0.1 * t.loss[0], `${JSON.stringify(extra)}: ${t.loss[0]} → ${t.loss[t.loss.length - 1]}`);
  }
});

test('closed-form loss for any readout of σ = z² equals the generic pair sum within its floor, with the same floor (1e-12 relative)', () => {
  const rng = new Rng(42);
  for (const [p, pStar] of [[1, 1], [3, 2], [6, 3]]) {
    const o = randomOverlaps(p, pStar, rng);
    const net = makeNetwork(p, pStar, square, square, 'mean', Array.from({ length: pStar }, () => rng.gaussian()), Array.from({ length: p }, () => rng.gaussian()));
    const fast = readoutQuadraticLossAndFloor(o, net, 0.3), slow = committeeLossAndFloor(o, net, 0.3);
    assert.ok(Math.abs(fast.loss - slow.loss) <= slow.floor, `p = ${p}: ${fast.loss} vs ${slow.loss} (floor ${slow.floor})`);
    assert.ok(Math.abs(fast.floor - slow.floor) <= 1e-12 * slow.floor, `floor ${fast.floor} vs ${slow.floor}`);
  }
});

test('the closed form for σ = z² follows a time-dependent η(α) and η_v(α) (a power-law schedule): at α its field is the constant-rate field at η(α), η_v(α), bit for bit', () => {
  // Before, it read the constant `eta` only: a power law on teacher readout weights or a trained
  // second layer ran at η(0) throughout (the same 591 steps as the constant η, diverging at 4.345).
  const rng = new Rng(43);
  const p = 3, pStar = 2;
  const { Q, M, P } = randomOverlaps(p, pStar, rng);
  const y = new Float64Array(stateSize(p, pStar, true));
  y.set(Q);
  y.set(M, p * p);
  const v = [0.4, -0.7, 1.1];
  y.set(v, p * p + p * pStar);
  const net = makeNetwork(p, pStar, square, square, 'mean', [1, 0.5], v);
  const base = { p, pStar, noise: 0.1, P, weightDecay: 0.02 };
  const etaAt = (a: number) => 0.5 / (1 + a), etaVAt = (a: number) => 0.3 / (1 + a);
  const varying = readoutQuadraticRhs({ ...base, eta: 0.5, secondLayerRate: 0.3, etaAt, secondLayerRateAt: etaVAt }, net);
  for (const alpha of [0, 0.7, 3]) {
    const got = new Float64Array(y.length), want = new Float64Array(y.length);
    varying(y, got, alpha);
    readoutQuadraticRhs({ ...base, eta: etaAt(alpha), secondLayerRate: etaVAt(alpha) }, net)(y, want);
    assert.deepEqual(Array.from(got), Array.from(want), `α = ${alpha}`);
  }
});
