import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conservedDrift, conservedQuantity } from './conserved.js';
import { parseConfig } from '../model/config.js';
import { makeProblem, initialCondition } from '../model/problem.js';
import { solveOde } from '../ode/solve.js';

test('J = e^{−Bα} Mᵀ Q⊥⁻¹ M e^{−Bα} is conserved by gradient flow to 1e-6 through norm growth, plateau and escape', () => {
  for (const over of [{}, { p: 8 }, { p: 3, pStar: 3, eta: 0.3 }]) {
    const config = parseConfig(over);
    const t = solveOde(makeProblem(config), initialCondition(config).overlaps, { sgdNoise: false });
    const d = conservedDrift(t, (config.eta as number));
    assert.ok(d.maxDrift < 1e-6, `${JSON.stringify(over)}: drift ${d.maxDrift}`);
    // evaluated past the escape (loss below a tenth of its initial value)
    const i = Array.from(t.alpha).findIndex((a) => a >= d.evaluatedUpTo);
    assert.ok(t.loss[i] < 0.1 * t.loss[0], `evaluated only up to α = ${d.evaluatedUpTo}`);
  }
});

test('the SGD-noise (η²) term breaks it: at the escape (same ηα) the drift is ≥ 1e-3 and grows with η', () => {
  const driftAtEscape = (eta: number) => {
    const config = parseConfig({ eta, alphaMax: 40 / eta });
    const t = solveOde(makeProblem(config), initialCondition(config).overlaps);
    const d = conservedDrift(t, eta);
    const i = t.loss.findIndex((l) => l < t.loss[0] / 2);
    return d.drift[i];
  };
  const small = driftAtEscape(0.05), large = driftAtEscape(0.5);
  assert.ok(small > 1e-3 && large > 2 * small, `drift ${small} at η = 0.05, ${large} at η = 0.5`);
});

test('without its time factor e^{−Bα} the quantity is not conserved (the factor is needed)', () => {
  const config = parseConfig({});
  const t = solveOde(makeProblem(config), initialCondition(config).overlaps, { sgdNoise: false });
  const o = (i: number) => ({ p: t.p, pStar: t.pStar, Q: t.Q[i], M: t.M[i], P: t.P });
  const i = t.alpha.findIndex((a) => a > 10);
  const withFactor = conservedQuantity(o(i), (config.eta as number), t.alpha[i])!, at0 = conservedQuantity(o(0), (config.eta as number), 0)!;
  const without = conservedQuantity(o(i), (config.eta as number), 0)!;
  assert.ok(Math.abs(withFactor[0] / at0[0] - 1) < 1e-8);
  assert.ok(Math.abs(without[0] / at0[0] - 1) > 0.1);
});
