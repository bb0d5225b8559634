import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quadraticRhs, quadraticPopulationLoss, quadraticPerpForm } from './quadratic.js';
import { committeeRhs, committeePopulationLoss, committeeLossAndFloor } from './committee.js';
import { stateSize, packState } from './equations.js';
import { square } from '../gauss/square.js';
import { makeNetwork } from '../model/network.js';
import { jointCovariance, type Overlaps } from '../model/overlaps.js';
import { Rng } from '../random/rng.js';
import { gaussianSampler, monteCarlo, randomOverlaps } from '../testing/stats.js';

function rhsOf(make: typeof quadraticRhs, o: Overlaps, eta: number, noise: number): Float64Array {
  const dy = new Float64Array(stateSize(o.p, o.pStar));
  make({ p: o.p, pStar: o.pStar, eta, noise, P: o.P })(packState(o), dy);
  return dy;
}

test('closed-form quadratic ODE equals the generic sum of Gaussian expectations to 1e-12', () => {
  const rng = new Rng(21);
  for (const [p, pStar] of [[1, 1], [3, 2], [4, 2], [2, 5]]) {
    const o = randomOverlaps(p, pStar, rng);
    const fast = rhsOf(quadraticRhs, o, 0.7, 0.3);
    const slow = rhsOf((params) => committeeRhs(params, makeNetwork(p, pStar, square)), o, 0.7, 0.3);
    const scale = Math.max(...slow.map(Math.abs));
    fast.forEach((v, i) => assert.ok(Math.abs(v - slow[i]) < 1e-12 * scale, `p=${p} p*=${pStar} component ${i}: ${v} vs ${slow[i]}`));
  }
});

test('closed-form population loss equals the generic form and Monte-Carlo ½E[e²] within 4σ (with label noise)', () => {
  const rng = new Rng(22);
  const o = randomOverlaps(3, 2, rng);
  const noise = 0.25;
  const closed = quadraticPopulationLoss(o, noise);
  assert.ok(Math.abs(closed - committeePopulationLoss(o, makeNetwork(3, 2, square), noise)) < 1e-13 * closed);
  const n = 5;
  const draw = gaussianSampler(jointCovariance(o), n, rng);
  const [mc] = monteCarlo(400_000, (z) => draw(z), n, [(z) => {
    const e = (z[0] ** 2 + z[1] ** 2 + z[2] ** 2) / 3 - (z[3] ** 2 + z[4] ** 2) / 2 - Math.sqrt(noise) * rng.gaussian();
    return 0.5 * e * e;
  }]);
  assert.ok(Math.abs(mc.mean - closed) < 4 * mc.se, `closed ${closed}, Monte-Carlo ${mc.mean} ± ${mc.se}`);
});

test('every entry of dQ/dα and dM/dα agrees with a Monte-Carlo estimate of its defining expectation within 4σ', () => {
  // dM_kj = −(η/p) E[e σ'(λ_k) ν_j];  dQ_kl = −(η/p) E[e(σ'_k λ_l + σ'_l λ_k)] + (η²/p²) E[e² σ'_k σ'_l],
  // with e = ŷ − y including label noise: checks the Wick algebra and the noise term at once.
  const rng = new Rng(23);
  const p = 3, pStar = 2, eta = 0.8, noise = 0.2;
  const o = randomOverlaps(p, pStar, rng);
  const exact = rhsOf(quadraticRhs, o, eta, noise);
  const n = p + pStar;
  const draw = gaussianSampler(jointCovariance(o), n, rng);
  const err = (z: Float64Array) => {
    let yHat = 0, y = 0;
    for (let k = 0; k < p; k++) yHat += z[k] ** 2;
    for (let j = 0; j < pStar; j++) y += z[p + j] ** 2;
    return yHat / p - y / pStar - Math.sqrt(noise) * z[n];
  };
  const fns: ((z: Float64Array) => number)[] = [];
  for (let k = 0; k < p; k++) for (let l = 0; l < p; l++) fns.push((z) => {
    const e = err(z);
    return -(eta / p) * e * (2 * z[k] * z[l] + 2 * z[l] * z[k]) + ((eta * eta) / (p * p)) * e * e * 2 * z[k] * 2 * z[l];
  });
  for (let k = 0; k < p; k++) for (let j = 0; j < pStar; j++) fns.push((z) => -(eta / p) * err(z) * 2 * z[k] * z[p + j]);
  const mc = monteCarlo(300_000, (z) => { draw(z); z[n] = rng.gaussian(); }, n + 1, fns);
  mc.forEach((m, i) => {
    const z = Math.abs(m.mean - exact[i]) / m.se;
    assert.ok(z < 4, `component ${i}: closed form ${exact[i]}, Monte-Carlo ${m.mean} ± ${m.se} (${z.toFixed(1)}σ)`);
  });
});

test('the symmetric plateau Q = p/(p+2)·I, M = 0 (P = I) is a fixed point of gradient flow with loss 1/(p+2) + 1/p*', () => {
  for (const [p, pStar] of [[4, 2], [8, 2], [2, 2], [1, 1]]) {
    const q = p / (p + 2);
    const Q = new Float64Array(p * p), P = new Float64Array(pStar * pStar);
    for (let i = 0; i < p; i++) Q[i * p + i] = q;
    for (let i = 0; i < pStar; i++) P[i * pStar + i] = 1;
    const o: Overlaps = { p, pStar, Q, M: new Float64Array(p * pStar), P };
    // η-linear part: the rhs divided by η as η → 0.
    const eta = 1e-9;
    const d = rhsOf(quadraticRhs, o, eta, 0);
    assert.ok(Math.max(...d.map((v) => Math.abs(v / eta))) < 1e-6, `p=${p}: gradient-flow velocity ${Math.max(...d.map((v) => Math.abs(v / eta)))}`);
    assert.ok(Math.abs(quadraticPopulationLoss(o, 0) - (1 / (p + 2) + 1 / pStar)) < 1e-14);
  }
});

test('zero-loss points (Q = (p/p*)·UUᵀ-type, here p = p*, Q = M = P = I) are fixed points even with SGD noise', () => {
  const p = 3;
  const I = new Float64Array(p * p);
  for (let i = 0; i < p; i++) I[i * p + i] = 1;
  const o: Overlaps = { p, pStar: p, Q: I, M: I, P: I };
  assert.equal(quadraticPopulationLoss(o, 0), 0);
  const d = rhsOf(quadraticRhs, o, 1.3, 0);
  assert.ok(Math.max(...d.map(Math.abs)) < 1e-14);
});

test('the (Q⊥, M) form is the same ODE: its dQ⊥/dα equals d/dα (Q − M P⁻¹ Mᵀ) along the (Q, M) equations (central differences, 1e-8), its loss the usual one (1e-14), with noise and weight decay', () => {
  const rng = new Rng(11);
  for (const [p, pStar] of [[1, 1], [3, 2], [4, 2]]) {
    const o = randomOverlaps(p, pStar, rng);
    const params = { p, pStar, eta: 0.3, noise: 0.05, P: o.P, weightDecay: 0.1 };
    const form = quadraticPerpForm(params)!;
    const y = packState(o);
    const dy = new Float64Array(y.length);
    quadraticRhs(params)(y, dy);
    const perp = form.toPerp(o.Q, o.M);
    const dPerp = new Float64Array(y.length);
    form.rhs(perp, dPerp);
    const h = 1e-6, pp = p * p;
    const at = (s: number) => { const z = y.map((v, i) => v + s * h * dy[i]); return form.toPerp(z.subarray(0, pp), z.subarray(pp)); };
    const plus = at(1), minus = at(-1);
    for (let i = 0; i < y.length; i++) {
      const fd = (plus[i] - minus[i]) / (2 * h);
      assert.ok(Math.abs(fd - dPerp[i]) < 1e-8 * (1 + Math.abs(fd)), `p = ${p}, p* = ${pStar}, component ${i}: ${dPerp[i]} vs ${fd}`);
    }
    const loss = form.lossAndFloor(perp).loss, ref = quadraticPopulationLoss(o, 0.05);
    assert.ok(Math.abs(loss - ref) < 1e-14 * ref, `loss ${loss} vs ${ref}`);
    const back = form.toQ(perp);
    back.forEach((q, i) => assert.ok(Math.abs(q - o.Q[i]) < 1e-14, `Q[${i}]`));
  }
});

test('near a solution the (Q⊥, M) loss keeps its relative accuracy (1e-12 against the exact ε = 2r + 3/2 (m² − 1)² + … of phase retrieval) where the (Q, M) formula is off by its floor', () => {
  // p = p* = 1, P = 1, q = m² + r: ε = ½(m² − 1 + r)² + (m² − 1)² + 2m²r + r² exactly.
  const form = quadraticPerpForm({ p: 1, pStar: 1, eta: 0.1, noise: 0, P: Float64Array.of(1) })!;
  for (const [r, dm] of [[1e-13, 1e-9], [3e-15, 0], [1e-20, 1e-12]]) {
    const m = 1 - dm, d = m * m - 1;
    const exact = 0.5 * (d + r) ** 2 + d * d + 2 * m * m * r + r * r;
    const { loss, floor } = form.lossAndFloor(Float64Array.of(r, m));
    assert.ok(Math.abs(loss - exact) <= 1e-12 * exact, `r = ${r}: ${loss} vs ${exact}`);
    assert.ok(floor < 1e-3 * exact, `floor ${floor} vs ε = ${exact}`);
  }
});

test('the committee loss errs by less than its stated floor near a solution (square, mean readout, against the cancellation-free (Q⊥, M) form), and the floor stays below 1e-13', () => {
  const rng = new Rng(5);
  for (const [p, pStar] of [[1, 1], [2, 2], [4, 2]]) {
    // A solution W = R W* (P = I, RᵀR = (p/p*) I), perturbed by a small component outside the teacher subspace.
    const P = Float64Array.from({ length: pStar * pStar }, (_, m) => (m % (pStar + 1) === 0 ? 1 : 0));
    const M = new Float64Array(p * pStar);
    for (let k = 0; k < p; k++) M[k * pStar + (k % pStar)] = 1 + 1e-9 * rng.gaussian(); // each teacher row shared by p/p* student rows
    const form = quadraticPerpForm({ p, pStar, eta: 0.1, noise: 0, P })!;
    const perp = form.toPerp(new Float64Array(p * p), M);
    for (let k = 0; k < p; k++) perp[k * p + k] = 1e-13 * (1 + rng.uniform());
    const Q = form.toQ(perp);
    const exact = form.lossAndFloor(perp).loss;
    const { loss, floor } = committeeLossAndFloor({ p, pStar, Q, M, P }, makeNetwork(p, pStar, square), 0);
    assert.ok(Math.abs(loss - exact) <= floor, `p = ${p}: ${loss} vs ${exact}, floor ${floor}`);
    assert.ok(floor < 1e-13, `floor ${floor}`);
  }
});
