/**
 * The overlap ODE under a training protocol (protocol.ts): batch 1 at a constant η is main's ODE
 * bit for bit; batch n_b at η is batch 1 at η/n_b (eqs. 4–6); a piecewise η is integrated piece
 * by piece with the jump as a step boundary; a power law integrates its η(α).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { solveOde } from './solve.js';
import { parseConfig, type ConfigInput } from '../model/config.js';
import { makeProblem, initialCondition } from '../model/problem.js';
import { MAIN_REFERENCE } from '../testing/batch1Reference.js';

const solve = (input: ConfigInput) => {
  const config = parseConfig(input);
  return solveOde(makeProblem(config), initialCondition(config).overlaps);
};

test('batch size 1 at a constant η reproduces main\'s ODE bit for bit (quadratic + noise, sum readout + decay, erf + trained second layer, single ReLU), step counts included', () => {
  for (const [name, ref] of Object.entries(MAIN_REFERENCE.ode)) {
    for (const input of [ref.config, { ...ref.config, batchSize: 1 }, { ...ref.config, eta: { schedule: 'piecewise', values: [(ref.config as { eta?: number }).eta ?? 0.5], until: [] } }] as ConfigInput[]) {
      const t = solve(input);
      assert.deepEqual(Array.from(t.alpha), ref.alpha, name);
      assert.deepEqual(Array.from(t.loss), ref.loss, name);
      assert.deepEqual(Array.from(t.Q.at(-1)!), ref.Qlast, name);
      assert.deepEqual(Array.from(t.M.at(-1)!), ref.Mlast, name);
      assert.equal(t.stats.acceptedSteps, ref.acceptedSteps, name);
    }
  }
});

test('a constant η that crosses into the deviation form near zero loss gives main\'s bits before this change (erf K = M = 2 from the small init, ReLU p = p* = 2 from its state at α = 80; sum readout, η = 0.5), step counts included', () => {
  // The deviation field now takes its rate per evaluation (η(α) of a schedule) and runs piece by
  // piece; at a constant η it must do the same arithmetic as before. Numbers printed by main at 6ffa432;
  // recomputed when every power moved to src/math/pow.ts by main 5ac0045's build with just its
  // Math.pow calls and the deviation field's and orthant weights' ** 2 replaced (its old numbers were
  // these of 6ffa432): the losses moved by ≤ 3.4·10⁻¹⁵ absolute (≤ 1.5·10⁻⁸ relative, at losses down to
  // 1.5·10⁻¹³), M by ≤ 2·10⁻¹⁶, the same steps.
  const P = [[1.0000000000000004, -2.7276791936259315e-17], [-2.7276791936259315e-17, 1.0000000000000016]];
  const cases = [
    {
      input: { activation: 'erf', readout: 'sum', p: 2, pStar: 2, eta: 0.5, alphaMax: 700, saveAt: [400, 500, 600, 700], init: { Q: [[0.09876174671120784, 0.0012136211769233469], [0.0012136211769233469, 0.10441019399276652]], M: [[0.0025130641480854473, -0.006809623197198043], [-0.011944861572191223, 0.009531773158696607]], P } },
      loss: [8.575845419894379e-8, 1.0433526140018446e-9, 1.2658150187989706e-11, 1.5327999026188096e-13],
      Mlast: [0.9999986974760815, 6.402277992224418e-7, 6.410758031327897e-7, 0.9999986991990364], steps: 1395,
    },
    {
      input: { activation: 'relu', readout: 'sum', p: 2, pStar: 2, eta: 0.5, alphaMax: 60, saveAt: [10, 20, 40, 60], init: { Q: [[0.9997354404176053, 0.00020117616111341887], [0.00020117616111341887, 0.999887807349842]], M: [[0.9998525061056409, 0.00007425724654623443], [0.00015068984058953813, 0.9999286882622719]], P } },
      loss: [1.085352714813581e-6, 1.2684961200479246e-7, 1.7363440612195158e-9, 2.5264617546397506e-11],
      Mlast: [0.9999974937877559, -2.504520924203491e-6, 2.5062333835856097e-6, 1.0000025045168446], steps: 327,
    },
  ];
  for (const c of cases) {
    const t = solve(c.input as ConfigInput);
    assert.deepEqual(Array.from(t.loss), c.loss, c.input.activation);
    assert.deepEqual(Array.from(t.M.at(-1)!), c.Mlast, c.input.activation);
    assert.equal(t.stats.acceptedSteps, c.steps, c.input.activation);
  }
});

test('batch n_b at η is batch 1 at η/n_b in α, for every right-hand side (eqs. 4–6; erf + trained second layer, sum readout + decay, single ReLU)', () => {
  const cases: ConfigInput[] = [
    { activation: 'erf', p: 2, pStar: 2, trainSecondLayer: true, noise: 0.01, alphaMax: 4, saveAt: [0, 1, 2, 4], rtol: 1e-8 },
    { readout: 'sum', p: 3, pStar: 2, weightDecay: 0.01, alphaMax: 10, saveAt: [0, 1, 5, 10] },
    { activation: 'relu', p: 1, pStar: 1, alphaMax: 10, saveAt: [0, 1, 5, 10] },
  ];
  for (const c of cases) {
    // 0.6/4 = 0.15 exactly, and N = 4000 makes every save a multiple of 4/N on both sides.
    const a = solve({ ...c, N: 4000, eta: 0.6, batchSize: 4 }), b = solve({ ...c, N: 4000, eta: 0.15 });
    assert.deepEqual(Array.from(a.alpha), Array.from(b.alpha));
    assert.deepEqual(Array.from(a.loss), Array.from(b.loss), JSON.stringify(c));
  }
});

test('a piecewise η is two constant-η solves back to back (the jump a step boundary): same loss to 1e-9 relative, saves on both sides of the jump', () => {
  const base: ConfigInput = { p: 2, pStar: 1, noise: 0.1, alphaMax: 6, saveAt: [0, 1, 2, 3, 4, 5, 6], init: { teacher: 'orthonormal', studentVariance: 0.1, seed: 2 } };
  const piecewise = solve({ ...base, eta: { schedule: 'piecewise', values: [0.4, 0.1], until: [2.5] } });
  const first = solve({ ...base, eta: 0.4, alphaMax: 2.5, saveAt: [0, 1, 2, 2.5] });
  const end = { Q: [[first.Q[3][0], first.Q[3][1]], [first.Q[3][2], first.Q[3][3]]], M: [[first.M[3][0]], [first.M[3][1]]], P: [[first.P[0]]] };
  const second = solve({ ...base, eta: 0.1, init: end, alphaMax: 3.5, saveAt: [0.5, 1.5, 2.5, 3.5] });
  assert.equal(piecewise.status, 'completed');
  const expected = [...first.loss.slice(0, 3), ...second.loss];
  piecewise.loss.forEach((l, i) => assert.ok(Math.abs(l - expected[i]) <= 1e-9 * expected[i], `α = ${piecewise.alpha[i]}: ${l} vs ${expected[i]}`));
});

test('a power law η0 (1 + α/α0)^(−β) at β = 0 is the constant η0 (the same numbers); at β = 1 it is the limit of staircases of η(α) at the midpoints of 200 pieces (to 1e-5 relative)', () => {
  const base: ConfigInput = { p: 2, pStar: 1, noise: 0.1, alphaMax: 6, savePoints: 5, init: { teacher: 'orthonormal', studentVariance: 0.1, seed: 2 } };
  const flat = solve({ ...base, eta: { schedule: 'power', eta0: 0.4, alpha0: 1, exponent: 0 } });
  assert.deepEqual(Array.from(flat.loss), Array.from(solve({ ...base, eta: 0.4 }).loss));
  const decaying = solve({ ...base, eta: { schedule: 'power', eta0: 0.4, alpha0: 1, exponent: 1 } }).loss.at(-1)!;
  // The midpoint staircase errs by O(h²) in η's integral: h = 6/200 gives ≈ 10⁻⁶ here.
  const K = 200, h = 6 / K;
  const values = Array.from({ length: K }, (_, i) => 0.4 / (1 + (i + 0.5) * h));
  const until = Array.from({ length: K - 1 }, (_, i) => (i + 1) * h);
  const staircase = solve({ ...base, eta: { schedule: 'piecewise', values, until } }).loss.at(-1)!;
  assert.ok(Math.abs(decaying - staircase) <= 1e-5 * staircase, `power law ${decaying}, staircase ${staircase}`);
  assert.ok(Math.abs(decaying - solve({ ...base, eta: 0.4 }).loss.at(-1)!) > 1e-3, 'the schedule changed nothing');
});
