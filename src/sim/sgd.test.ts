import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simulateSgd, sgdStreams } from './sgd.js';
import { simulateEnsemble } from './ensemble.js';
import { Rng } from '../random/rng.js';
import { square } from '../gauss/square.js';
import { makeNetwork } from '../model/network.js';
import { parseConfig, type ConfigInput } from '../model/config.js';
import { makeProblem, initialCondition } from '../model/problem.js';
import { solveOde } from '../ode/solve.js';
import { lossDeviation } from '../analysis/compare.js';

test('one SGD step matches the update rule w ← w − η e σ′(λ) x/(p√N) computed by hand', () => {
  const N = 3, eta = 0.1;
  const W = Float64Array.of(0.5, -0.2, 0.1, 0.3, 0.3, -0.4), T = Float64Array.of(1, 0, 0);
  const setup = { network: makeNetwork(2, 1, square), p: 2, pStar: 1, eta, noise: 0 };
  const t = simulateSgd(setup, { N, p: 2, pStar: 1, W, teacher: T }, [1 / N], sgdStreams(9, 0));
  const x = new Rng(9, 'sgdInputs', 0).fillGaussian(new Float64Array(N));
  const s = Math.sqrt(N);
  const lam = [0, 1].map((k) => (W[3 * k] * x[0] + W[3 * k + 1] * x[1] + W[3 * k + 2] * x[2]) / s);
  const nu = x[0] / s;
  const e = (lam[0] ** 2 + lam[1] ** 2) / 2 - nu ** 2;
  const w = Array.from(W, (v, i) => v - (eta * e * 2 * lam[Math.floor(i / 3)] * x[i % 3]) / (2 * s));
  const Q00 = (w[0] ** 2 + w[1] ** 2 + w[2] ** 2) / N, Q01 = (w[0] * w[3] + w[1] * w[4] + w[2] * w[5]) / N, M10 = w[3] / N;
  assert.ok(Math.abs(t.Q[0][0] - Q00) < 1e-15 && Math.abs(t.Q[0][1] - Q01) < 1e-15 && Math.abs(t.M[0][1] - M10) < 1e-15);
  assert.equal(t.alpha[0], 1 / N);
});

test('label noise has its own stream: with Δ > 0 the run draws exactly the inputs of the run with Δ = 0, and one noise draw per step', () => {
  const N = 250, steps = 2 * N;
  const W = new Rng(1).fillGaussian(new Float64Array(2 * N)).map((w) => 0.1 * w), T = new Rng(2).fillGaussian(new Float64Array(N));
  const run = (noise: number) => {
    const streams = sgdStreams(3, 0);
    simulateSgd({ network: makeNetwork(2, 1, square), p: 2, pStar: 1, eta: 0.2, noise }, { N, p: 2, pStar: 1, W, teacher: T }, [steps / N], streams);
    return streams;
  };
  const quiet = run(0), noisy = run(0.5);
  assert.deepEqual(noisy.inputs.getState(), quiet.inputs.getState(), 'the same number of input draws, none taken by the noise');
  const expected = new Rng(3, 'labelNoise', 0);
  for (let i = 0; i < steps; i++) expected.gaussian();
  assert.deepEqual(noisy.labelNoise.getState(), expected.getState());
  assert.deepEqual(quiet.labelNoise.getState(), new Rng(3, 'labelNoise', 0).getState(), 'no noise, no draws');
});

test('the same config and seed give bit-identical trajectories', () => {
  const config = parseConfig({ N: 300, alphaMax: 2, savePoints: 10 });
  const problem = makeProblem(config), init = initialCondition(config);
  const a = simulateEnsemble(problem, init).runs[0], b = simulateEnsemble(problem, init).runs[0];
  assert.deepEqual(a.loss, b.loss);
  assert.deepEqual(a.Q, b.Q);
});

test('onSave streams every saved point, equal to the returned trajectory and in order', () => {
  const config = parseConfig({ N: 200, alphaMax: 1, savePoints: 12 });
  const problem = makeProblem(config), init = initialCondition(config);
  const seen: { i: number; alpha: number; loss: number; Q: Float64Array; M: Float64Array }[] = [];
  const t = simulateSgd(problem, init.weights!, problem.saveAt, sgdStreams(config.seed, 0), {
    onSave: (i, alpha, loss, Q, M) => seen.push({ i, alpha, loss, Q, M }),
  });
  assert.equal(seen.length, t.alpha.length);
  seen.forEach((s, k) => {
    assert.equal(s.i, k);
    assert.equal(s.alpha, t.alpha[k]);
    assert.equal(s.loss, t.loss[k]);
    assert.deepEqual(s.Q, t.Q[k]);
    assert.deepEqual(s.M, t.M[k]);
  });
});

test('SGD converges to the ODE: max loss deviation shrinks like N^(−1/2) from N = 500 to 8000 (mean over 12 seeds; fitted exponent in [0.35, 0.7])', (t) => {
  // A regime without a long plateau (M is O(1) from the start), with label noise so the
  // noise terms of both solvers are exercised. The per-seed maximum scatters by ~50 %, so with
  // 12 seeds each log-mean has sd ≈ 0.15 and the fitted exponent sd ≈ 0.07: the bounds are
  // ≥ 2 sd from 1/2 (with 5 seeds they were 1.4 sd away).
  const base: ConfigInput = {
    p: 2, pStar: 2, eta: 0.3, noise: 0.1, alphaMax: 4, savePoints: 41,
    init: { Q: [[0.6, 0.1], [0.1, 0.4]], M: [[0.5, 0.1], [0, 0.4]], P: [[1, 0], [0, 1]] },
  };
  const Ns = [500, 2000, 8000], SEEDS = 12;
  const mean = Ns.map((N) => {
    let sum = 0;
    for (let s = 0; s < SEEDS; s++) {
      const config = parseConfig({ ...base, N, seed: 100 + s });
      const problem = makeProblem(config), init = initialCondition(config);
      const ode = solveOde(problem, init.overlaps);
      const sgd = simulateEnsemble(problem, init).runs[0];
      assert.equal(sgd.status, 'completed');
      sum += lossDeviation(ode, sgd).maxAbs;
    }
    return sum / SEEDS;
  });
  // least-squares slope of log(deviation) against log N
  const xs = Ns.map(Math.log), ys = mean.map(Math.log);
  const xm = xs.reduce((a, b) => a + b) / 3, ym = ys.reduce((a, b) => a + b) / 3;
  const slope = xs.reduce((a, x, i) => a + (x - xm) * (ys[i] - ym), 0) / xs.reduce((a, x) => a + (x - xm) ** 2, 0);
  const summary = `deviations ${mean.map((d) => d.toExponential(2))} at N = ${Ns}; fitted exponent ${(-slope).toFixed(2)}`;
  t.diagnostic(summary);
  assert.ok(-slope > 0.35 && -slope < 0.7, summary);
  assert.ok(mean[0] > mean[1] && mean[1] > mean[2], summary);
  assert.ok(mean[2] < 0.01, summary);
});

test('the mean of 8 SGD runs at N = 2000 agrees with the ODE at the end of the run within 4 standard errors', () => {
  const config = parseConfig({
    p: 2, pStar: 2, eta: 0.3, alphaMax: 4, saveAt: [4], N: 2000, runs: 8,
    init: { Q: [[0.6, 0.1], [0.1, 0.4]], M: [[0.5, 0.1], [0, 0.4]], P: [[1, 0], [0, 1]] },
  });
  const problem = makeProblem(config), init = initialCondition(config);
  const ode = solveOde(problem, init.overlaps);
  const e = simulateEnsemble(problem, init);
  const se = e.lossStd[0] / Math.sqrt(8);
  // a 1/N bias of the finite-N average is allowed for on top: 1/N = 5e-4
  assert.ok(Math.abs(e.lossMean[0] - ode.loss[0]) < 4 * se + 5e-4, `SGD ${e.lossMean[0]} ± ${se}, ODE ${ode.loss[0]}`);
});

test('SGD with η far beyond the stability limit stops with a divergence message, not NaN', () => {
  const config = parseConfig({ eta: 4, N: 200, alphaMax: 10 });
  const t = simulateEnsemble(makeProblem(config), initialCondition(config)).runs[0];
  assert.equal(t.status, 'diverged');
  assert.match(t.message, /^diverged at α = [\d.]+: the student norm Q\[\d\]\[\d\] reached /);
  // Checked at the save points: divergedAt is the first save after the last finite one.
  const saves = Array.from(makeProblem(config).saveAt, (a) => Math.round(a * config.N) / config.N);
  assert.equal(t.divergedAt, saves[t.alpha.length], `divergedAt ${t.divergedAt}`);
  assert.ok(t.loss.every(Number.isFinite));
});
