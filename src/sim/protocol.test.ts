/**
 * Mini-batches and learning-rate schedules in SGD and against the ODE (src/ode/protocol.ts):
 * batch 1 at a constant η is main's code bit for bit, the WebAssembly batch step is the plain
 * loop's bit for bit, and ensembles of batch SGD follow the batch ODE within stated k·SE.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simulateSgd, sgdStreams } from './sgd.js';
import { simulateEnsemble } from './ensemble.js';
import { parseConfig, type ConfigInput } from '../model/config.js';
import { makeProblem, initialCondition } from '../model/problem.js';
import { solveOde } from '../ode/solve.js';
import { wasmKernelAvailable } from './wasmKernel.js';
import { MAIN_REFERENCE } from '../testing/batch1Reference.js';

test('batch size 1 at a constant η reproduces main\'s SGD numbers bit for bit, both engines (square + noise, erf sum readout + decay + trained 2nd layer, relu + decay)', () => {
  for (const [name, ref] of Object.entries(MAIN_REFERENCE.sgd)) {
    for (const withKeys of [false, true]) {
      // The explicit keys batchSize = 1 and a one-value piecewise schedule change nothing either.
      const input = withKeys ? { ...ref.config, batchSize: 1 } : ref.config;
      const config = parseConfig(input);
      const problem = makeProblem(config), init = initialCondition(config);
      for (const engine of ['js', 'wasm'] as const) {
        if (engine === 'wasm' && !wasmKernelAvailable()) continue;
        const t = simulateSgd(problem, init.weights!, problem.saveAt, sgdStreams(config.seed, 0), { engine });
        assert.deepEqual(Array.from(t.loss), ref.loss, `${name} ${engine}`);
        assert.deepEqual(Array.from(t.Q.at(-1)!), ref.Qlast, `${name} ${engine} Q`);
        assert.deepEqual(Array.from(t.M.at(-1)!), ref.Mlast, `${name} ${engine} M`);
      }
    }
  }
});

test('the WebAssembly batch step gives the plain loop\'s bits for batch 2, 3 and 8, odd N, with weight decay, label noise, a trained second layer and a power-law η', { skip: !wasmKernelAvailable() }, () => {
  const cases: ConfigInput[] = [
    { p: 3, pStar: 2, N: 37, batchSize: 3, eta: 0.9, noise: 0.1, weightDecay: 0.05, alphaMax: 3, saveAt: [0, 0.81, 3], seed: 4 },
    // n_b = 2 has its own loop (both next inputs drawn before the update, their fields fused into it):
    // N = 39 (tails of the 4- and 2-wide loops), N = 523 (more than two of its 256-element blocks).
    { p: 3, pStar: 2, N: 39, batchSize: 2, eta: 0.9, noise: 0.1, weightDecay: 0.05, alphaMax: 3, saveAt: [0, 0.82, 3], seed: 5 },
    { activation: 'erf', p: 3, pStar: 1, N: 523, batchSize: 2, trainSecondLayer: true, noise: 0.05, eta: { schedule: 'power', eta0: 1.5, alpha0: 0.5, exponent: 0.7 }, alphaMax: 1, savePoints: 4, seed: 7 },
    { activation: 'erf', p: 2, pStar: 2, N: 41, batchSize: 8, trainSecondLayer: true, eta: { schedule: 'power', eta0: 2, alpha0: 0.5, exponent: 0.7 }, alphaMax: 4, savePoints: 5, seed: 6 },
  ];
  for (const c of cases) {
    const config = parseConfig(c);
    const problem = makeProblem(config), init = initialCondition(config);
    const js = simulateSgd(problem, init.weights!, problem.saveAt, sgdStreams(config.seed, 0), { engine: 'js' });
    const wasm = simulateSgd(problem, init.weights!, problem.saveAt, sgdStreams(config.seed, 0), { engine: 'wasm' });
    assert.equal(wasm.stats.wasmKernel, 1);
    assert.deepEqual(Array.from(wasm.loss), Array.from(js.loss));
    assert.deepEqual(wasm.Q.map((q) => Array.from(q)), js.Q.map((q) => Array.from(q)));
    // Saves at multiples of batchSize/N: α·N/batchSize is a whole number of steps.
    for (const a of js.alpha) assert.equal(Math.round((a * config.N) / config.batchSize) * config.batchSize / config.N, a);
  }
});

/** Mean over runs of the loss at the saves, its standard error, and the RMS deviation of single runs from `ode`. */
function ensembleVsOde(input: ConfigInput) {
  const config = parseConfig(input);
  const problem = makeProblem(config), init = initialCondition(config);
  const ode = solveOde(problem, init.overlaps);
  const e = simulateEnsemble(problem, init);
  assert.ok(e.runs.every((r) => r.status === 'completed'));
  assert.deepEqual(Array.from(e.alpha), Array.from(ode.alpha));
  const R = e.runs.length;
  return {
    ode, config, problem, init,
    z: Array.from(e.alpha, (_, i) => Math.abs(e.lossMean[i] - ode.loss[i]) / (e.lossStd[i] / Math.sqrt(R))),
    dev: Array.from(e.alpha, (_, i) => e.lossMean[i] - ode.loss[i]),
    se: Array.from(e.alpha, (_, i) => e.lossStd[i] / Math.sqrt(R)),
    rms: Math.sqrt(e.runs.reduce((s, r) => s + r.loss.reduce((t, l, i) => t + (l - ode.loss[i]) ** 2, 0), 0) / (R * e.alpha.length)),
  };
}

// Batch 4 at η = 1.2: η_eff = η/n_b = 0.3 (its limit over α ≤ 3 is 0.57), where the SGD-noise term (η/n_b)² is a large part of
// dQ/dα; a wrong batch scaling of either part moves the curve by many standard errors (checked below).
const BATCH: ConfigInput = { p: 2, pStar: 1, batchSize: 4, eta: 1.2, noise: 0.2, alphaMax: 3, saveAt: [0.5, 1, 2, 3], init: { teacher: 'orthonormal', studentVariance: 0.1, seed: 2 }, runs: 24, seed: 11 };

test('batch SGD (n_b = 4, η = 1.2) follows the batch ODE: the mean of 24 runs is within 4 SE + 2/N relative of the ODE at N = 1600, and single runs scatter ≥ 2× less at N = 1600 than at N = 200', () => {
  const small = ensembleVsOde({ ...BATCH, N: 200 });
  const large = ensembleVsOde({ ...BATCH, N: 1600 });
  large.dev.forEach((d, i) => {
    // 4 SE: a two-sided 4σ event has probability 6·10⁻⁵ per point; 2/N·ε allows the O(1/N) finite-N bias.
    assert.ok(Math.abs(d) <= 4 * large.se[i] + (2 / 1600) * large.ode.loss[i], `α = ${large.ode.alpha[i]}: mean − ODE = ${d}, SE ${large.se[i]}`);
  });
  // Fluctuations shrink as N^(−1/2): 2.8× from N = 200 to 1600; 2× leaves room for noise in the RMS.
  assert.ok(small.rms > 2 * large.rms, `RMS deviation ${small.rms} at N = 200, ${large.rms} at N = 1600`);
  // The test can fail: the ODE that ignores the batch (batch 1 at η = 1.2, i.e. noise η² instead of (η/n_b)²
  // and drift η instead of η/n_b) is far outside the same tolerance.
  const wrong = solveOde(makeProblem(parseConfig({ ...BATCH, N: 1600, batchSize: 1 })), large.init.overlaps);
  // (It diverges at η = 1.2 > 0.57, or else must be > 20 SE off where it is finite.)
  const worst = wrong.status !== 'completed' ? Infinity : Math.max(...large.dev.map((d, i) => Math.abs(d + large.ode.loss[i] - wrong.loss[i]) / large.se[i]));
  assert.ok(worst > 20, `the batch-ignoring ODE is only ${worst} SE off`);
});

test('SGD with a power-law and with a piecewise η follows the ODE of the same schedule within 4 SE + 2/N relative (N = 1600, 16 runs, batch 2)', () => {
  const base: ConfigInput = { ...BATCH, batchSize: 2, runs: 16, N: 1600, alphaMax: 3, saveAt: [0.5, 1, 1.5, 2, 3] };
  for (const eta of [
    { schedule: 'power', eta0: 0.8, alpha0: 0.5, exponent: 1 },
    { schedule: 'piecewise', values: [0.8, 0.2], until: [1.5] },
  ] as ConfigInput["eta"][]) {
    const r = ensembleVsOde({ ...base, eta });
    const name = JSON.stringify(eta);
    r.dev.forEach((d, i) => assert.ok(Math.abs(d) <= 4 * r.se[i] + (2 / 1600) * r.ode.loss[i], `${name} α = ${r.ode.alpha[i]}: mean − ODE = ${d}, SE ${r.se[i]}`));
    // And the schedule matters: the ODE at the constant η0 ends > 5 SE away.
    const constant = solveOde(makeProblem(parseConfig({ ...base, eta: 0.8 })), r.init.overlaps);
    const i = r.ode.alpha.length - 1;
    assert.ok(Math.abs(constant.loss[i] - r.ode.loss[i]) > 5 * r.se[i], `${name}: constant η0 ends at ${constant.loss[i]}, the schedule at ${r.ode.loss[i]}`);
  }
});
