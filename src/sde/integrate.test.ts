import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simulateSde } from './integrate.js';
import { parseConfig } from '../model/config.js';
import { makeProblem, initialCondition } from '../model/problem.js';
import { solveOde } from '../ode/solve.js';
import { Rng } from '../random/rng.js';

const config = parseConfig({ N: 1000, alphaMax: 30, savePoints: 40 });
const problem = makeProblem(config);
const initial = initialCondition(config).overlaps;
const setup = (N: number, step: number) => ({ p: 4, pStar: 2, eta: 0.5, noise: 0, N, step });

test('at N = 10¹⁶ the SDE is the ODE up to Euler–Maruyama\'s O(h) drift error: the gap to Dormand–Prince at α = 30 halves with h (weak order 1)', () => {
  const ode = solveOde(problem, initial);
  const gap = (h: number) => {
    const t = simulateSde(setup(1e16, h), initial, problem.saveAt, new Rng(1, 'sdeNoise', 0));
    return Math.abs(t.loss[t.loss.length - 1] - ode.loss[ode.loss.length - 1]) / ode.loss[ode.loss.length - 1];
  };
  const g1 = gap(0.04), g2 = gap(0.02);
  assert.ok(g1 > 1e-4 && g1 < 0.2, `gap at h = 0.04: ${g1}`);
  assert.ok(g2 / g1 > 0.4 && g2 / g1 < 0.6, `ratio ${g2 / g1} (gaps ${g1}, ${g2})`);
});

test('SDE runs keep Q − M P⁻¹ Mᵀ positive semidefinite at every saved point, even at N = 20 where the noise is large', () => {
  for (let r = 0; r < 4; r++) {
    const t = simulateSde(setup(20, 0.05), initial, problem.saveAt, new Rng(3, 'sdeNoise', r));
    assert.ok(t.stats.projections > 0, 'the projection onto the PSD cone was needed (the test exercises it)');
    for (let i = 0; i < t.alpha.length; i++) {
      const Q = t.Q[i], M = t.M[i];
      // P = I: Q⊥ = Q − M Mᵀ; test its smallest eigenvalue through xᵀ Q⊥ x over random directions.
      const rng = new Rng(9, 'general', i);
      for (let k = 0; k < 50; k++) {
        const x = rng.fillGaussian(new Float64Array(4));
        let q = 0;
        for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) {
          let mm = 0;
          for (let j = 0; j < 2; j++) mm += M[a * 2 + j] * M[b * 2 + j];
          q += x[a] * (Q[a * 4 + b] - mm) * x[b];
        }
        assert.ok(q >= -1e-12 * (1 + Math.abs(Q[0])), `run ${r}, α = ${t.alpha[i]}: xᵀQ⊥x = ${q}`);
      }
    }
  }
});

test('the same stream gives the same SDE trajectory; another run index, another one', () => {
  const a = simulateSde(setup(1000, 0.05), initial, problem.saveAt, new Rng(1, 'sdeNoise', 0));
  const b = simulateSde(setup(1000, 0.05), initial, problem.saveAt, new Rng(1, 'sdeNoise', 0));
  const c = simulateSde(setup(1000, 0.05), initial, problem.saveAt, new Rng(1, 'sdeNoise', 1));
  assert.deepEqual(a.loss, b.loss);
  assert.notDeepEqual(a.loss, c.loss);
});
