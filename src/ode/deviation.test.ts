import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deviationForm } from './deviation.js';
import { genericCommitteeRhs, committeeLossAndFloor } from './committee.js';
import { erfActivation } from '../gauss/erf.js';
import { square } from '../gauss/square.js';
import { reluActivation } from '../gauss/relu.js';
import { makeNetwork } from '../model/network.js';
import { Rng } from '../random/rng.js';
import { randomOverlapState } from '../testing/overlaps.js';

test('the deviation form is the committee ODE in other variables: its field mapped back equals the (Q, M, v) field to 1e-9, its loss the committee loss (erf, square, ReLU; trained readout, decay, noise)', () => {
  const rng = new Rng(5, 'general');
  for (const act of [erfActivation, square, reluActivation]) {
    const p = 3, pStar = 2;
    const v = Float64Array.from({ length: p }, () => 0.5 + rng.gaussian() * 0.1);
    const net = makeNetwork(p, pStar, act, act, 'sum', [0.6, 0.8], Array.from(v));
    const { y, P } = randomOverlapState(p, pStar, rng, v);
    const params = { p, pStar, eta: 0.4, noise: 0.02, P, weightDecay: 0.01, secondLayerRate: 0.2 };
    const form = deviationForm(params, net, act.exact!, y);
    // Round trip of the state.
    const back = form.toOverlaps(form.y0);
    back.forEach((x, i) => assert.ok(Math.abs(x - y[i]) < 1e-15, `${act.name}: state ${i}: ${x} vs ${y[i]}`));
    // The map y ↦ (Q, M, v) is affine, so a finite step along the deviation field gives dQ, dM, dv.
    const dDev = new Float64Array(y.length), dRef = new Float64Array(y.length);
    form.rhs(form.y0, dDev);
    genericCommitteeRhs(params, net)(y, dRef);
    const h = 1e-4;
    const moved = form.toOverlaps(form.y0.map((x, i) => x + h * dDev[i]));
    const scale = Math.max(...dRef.map(Math.abs));
    dRef.forEach((d, i) => assert.ok(Math.abs((moved[i] - back[i]) / h - d) < 1e-9 * scale, `${act.name}: component ${i}: ${(moved[i] - back[i]) / h} vs ${d}`));
    const loss = committeeLossAndFloor({ p, pStar, Q: y.subarray(0, p * p), M: y.subarray(p * p, p * p + p * pStar), P }, { ...net, v }, 0.02).loss;
    assert.ok(Math.abs(form.lossAndFloor(form.y0).loss - loss) < 1e-14 * loss, `${act.name}: loss`);
  }
});

test('the deviation field follows a time-dependent η(α), η_v(α) (a power-law schedule), and `rhsWith` gives the field at other rates in the same variables: at α each is the constant-rate field at η(α), η_v(α), bit for bit (erf, ReLU; trained readout, decay, noise)', () => {
  const rng = new Rng(7, 'general');
  for (const act of [erfActivation, reluActivation]) {
    const p = 2, pStar = 2;
    const v = Float64Array.from({ length: p }, () => 0.5 + rng.gaussian() * 0.1);
    const net = makeNetwork(p, pStar, act, act, 'sum', [0.6, 0.8], Array.from(v));
    const { y, P } = randomOverlapState(p, pStar, rng, v);
    const base = { p, pStar, noise: 0.02, P, weightDecay: 0.01 };
    const etaAt = (a: number) => 0.4 * (1 + a / 10) ** -0.5, etaVAt = (a: number) => 0.2 * (1 + a / 10) ** -0.5;
    const varying = deviationForm({ ...base, eta: 0.4, secondLayerRate: 0.2, etaAt, secondLayerRateAt: etaVAt }, net, act.exact!, y);
    for (const alpha of [0, 2.5, 40]) {
      const fixed = deviationForm({ ...base, eta: etaAt(alpha), secondLayerRate: etaVAt(alpha) }, net, act.exact!, y);
      const want = new Float64Array(y.length), got = new Float64Array(y.length), other = new Float64Array(y.length);
      fixed.rhs(fixed.y0, want);
      varying.rhs(varying.y0, got, alpha);
      varying.rhsWith({ eta: etaAt(alpha), secondLayerRate: etaVAt(alpha) })(varying.y0, other);
      assert.deepEqual(Array.from(got), Array.from(want), `${act.name}, α = ${alpha}`);
      assert.deepEqual(Array.from(other), Array.from(want), `${act.name}, rhsWith, α = ${alpha}`);
      assert.ok(want.some((x) => x !== 0));
    }
  }
});
