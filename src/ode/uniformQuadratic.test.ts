import { test } from 'node:test';
import assert from 'node:assert/strict';
import { uniformQuadraticScales } from './uniformQuadratic.js';
import { committeeRhs } from './committee.js';
import { overlapRhs, solveOde } from './solve.js';
import { makeProblem, initialCondition, type Problem } from '../model/problem.js';
import { parseConfig, type ConfigInput } from '../model/config.js';
import type { Trajectory } from '../model/trajectory.js';
import type { Overlaps } from '../model/overlaps.js';
import { integrate } from './dopri5.js';
import { packState, stateSize } from './equations.js';
import { committeeLossAndFloor } from './committee.js';

// The reference is the generic committee path (Gaussian expectations summed term by term,
// committee.ts), which shares no code with the closed form of quadratic.ts: agreement to rounding
// shows the mapping is exact, not merely close. Integrated here directly, since solveOde now maps.
function genericTrajectory(problem: Problem, init: Overlaps, saveAt: Float64Array, rtol: number) {
  const { p, pStar } = problem, pp = p * p;
  const rhs = committeeRhs({ p, pStar, eta: problem.eta, noise: problem.noise, P: init.P, weightDecay: problem.weightDecay }, problem.network);
  const r = integrate((_t, y, dy) => rhs(y, dy), packState(init), { saveAt, rtol, atol: rtol * 1e-3 });
  return r.y.map((y) => ({ Q: y.slice(0, pp), M: y.slice(pp), ...committeeLossAndFloor({ p, pStar, Q: y.subarray(0, pp), M: y.subarray(pp), P: init.P }, problem.network, problem.noise) }));
}

const relErr = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) { num = Math.max(num, Math.abs(a[i] - b[i])); den = Math.max(den, Math.abs(b[i])); }
  return num / den;
};

const CASES: readonly [name: string, input: ConfigInput][] = [
  ['sum readout, p = 3, p* = 2', { p: 3, pStar: 2, readout: 'sum', eta: 0.05, alphaMax: 60, savePoints: 12, N: 1000 }],
  ['uniform readouts v = 0.7/p, v* = 2.5/p*, p = 4, p* = 3, label noise and weight decay', { p: 4, pStar: 3, eta: 0.1, noise: 0.01, weightDecay: 0.02, studentReadout: [0.175, 0.175, 0.175, 0.175], teacherReadout: [2.5 / 3, 2.5 / 3, 2.5 / 3], alphaMax: 60, savePoints: 12, N: 1000 }],
];

test('uniform readouts of the square network are recognised with their scales; non-uniform, sign-mismatched and other activations are not', () => {
  const sq = makeProblem(parseConfig({ p: 3, pStar: 2, readout: 'sum' })).network;
  assert.deepEqual(uniformQuadraticScales(sq), { c: 3, cStar: 2 });
  assert.equal(uniformQuadraticScales({ ...sq, v: Float64Array.from([1, 1, 2]) }), null);
  assert.equal(uniformQuadraticScales({ ...sq, vStar: Float64Array.from([-1, -1]) }), null);
  assert.equal(uniformQuadraticScales({ ...sq, vStar: Float64Array.from([0, 0]) }), null);
  const erf = makeProblem(parseConfig({ activation: 'erf', p: 3, pStar: 2, readout: 'sum' })).network;
  assert.equal(uniformQuadraticScales(erf), null);
});

for (const [name, input] of CASES) {
  test(`mapped right-hand side equals the generic committee one to 1e-12 at random states: ${name}`, () => {
    const config = parseConfig(input);
    const problem = makeProblem(config);
    const { p, pStar } = problem;
    assert.ok(uniformQuadraticScales(problem.network), 'the mapping applies');
    const init = initialCondition(config).overlaps;
    const mapped = overlapRhs(problem, init.P);
    const ref = committeeRhs({ p, pStar, eta: problem.eta, noise: problem.noise, P: init.P, weightDecay: problem.weightDecay }, problem.network);
    let s = 12345;
    const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) - 0.5;
    for (let trial = 0; trial < 5; trial++) {
      const y = new Float64Array(stateSize(p, pStar));
      // Q = B Bᵀ/p + I/2 (positive definite), M random.
      const B = Array.from({ length: p * p }, rnd);
      for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) {
        let q = i === j ? 0.5 : 0;
        for (let l = 0; l < p; l++) q += (B[i * p + l] * B[j * p + l]) / p;
        y[i * p + j] = q;
      }
      for (let i = p * p; i < y.length; i++) y[i] = 0.5 * rnd();
      const a = new Float64Array(y.length), b = new Float64Array(y.length);
      mapped(y, a);
      ref(y, b);
      assert.ok(relErr(a, b) < 1e-12, `trial ${trial}: ${relErr(a, b)}`);
    }
  });

  test(`mapped trajectory (closed form) equals the generic committee trajectory to 1e-9 relative: ${name}`, () => {
    const config = parseConfig(input);
    const problem = makeProblem(config);
    const init = initialCondition(config).overlaps;
    const t = solveOde(problem, init, { rtol: 1e-13, atol: 1e-16 });
    assert.equal(t.status, 'completed');
    const ref = genericTrajectory(problem, init, problem.saveAt, 1e-13);
    t.alpha.forEach((a, i) => {
      assert.ok(relErr(t.Q[i], ref[i].Q) < 1e-9, `α = ${a}: Q ${relErr(t.Q[i], ref[i].Q)}`);
      assert.ok(relErr(t.M[i], ref[i].M) < 1e-9, `α = ${a}: M ${relErr(t.M[i], ref[i].M)}`);
      assert.ok(Math.abs(t.loss[i] / ref[i].loss - 1) < 1e-9, `α = ${a}: loss ${t.loss[i]} vs ${ref[i].loss}`);
    });
  });
}

test('square + sum readout: saved losses within 1e-6 relative of the generic path (rtol 1e-14) down to ε ~ 1e-8, and the floor marks what is below it', () => {
  const config = parseConfig({ p: 2, pStar: 2, readout: 'sum', eta: 0.1, alphaMax: 200, savePoints: 30, N: 1000 });
  const problem = makeProblem(config);
  const init = initialCondition(config).overlaps;
  const t: Trajectory = solveOde(problem, init);
  assert.equal(t.status, 'completed');
  const ref = genericTrajectory(problem, init, problem.saveAt, 1e-14);
  let checked = 0;
  t.alpha.forEach((a, i) => {
    const r = ref[i];
    if (r.loss > 1e-8 && r.loss > 1e3 * r.floor) {
      assert.ok(Math.abs(t.loss[i] / r.loss - 1) < 1e-6, `α = ${a}: ${t.loss[i]} vs generic ${r.loss}`);
      checked++;
    }
    // The mapped loss has the (Q⊥, M) floor, relative to itself (no cancellation): every point
    // is resolved, also those below the generic path's absolute floor.
    assert.ok(t.lossFloor![i] <= r.floor && t.loss[i] > 1e10 * t.lossFloor![i], `α = ${a}: ${t.loss[i]}, floor ${t.lossFloor![i]} vs generic ${r.floor}`);
  });
  assert.ok(checked >= 5, `compared ${checked} points`);
  assert.ok(t.loss[t.loss.length - 1] < 1e-10, `the run reaches small losses: ${t.loss[t.loss.length - 1]}`);
});

// Issue 17's case (small init, η = 0.1) to α = 320: the generic path costs ≈ 1 s per evaluation
// at p = 32 (measured), the closed form O(p³) operations.
test('square, p = 32, p* = 2, sum readout to α = 320 runs on the closed form: under 5000 right-hand-side evaluations', () => {
  const config = parseConfig({ p: 32, pStar: 2, readout: 'sum', eta: 0.1, alphaMax: 320, savePoints: 8, N: 1000 });
  const t = solveOde(makeProblem(config), initialCondition(config).overlaps);
  assert.equal(t.status, 'completed');
  assert.ok(t.stats!.rhsEvaluations < 5000, `${t.stats!.rhsEvaluations} evaluations`);
});
