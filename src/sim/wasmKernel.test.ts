import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSgdKernel, wasmKernelAvailable } from './wasmKernel.js';
import { simulateSgd, sgdStreams, type SgdCheckpoint, type SgdSetup } from './sgd.js';
import { Rng } from '../random/rng.js';
import { square } from '../gauss/square.js';
import { erfActivation } from '../gauss/erf.js';
import { reluActivation } from '../gauss/relu.js';
import { makeNetwork } from '../model/network.js';
import type { Weights } from '../model/overlaps.js';

// The WebAssembly kernel must reproduce the plain JavaScript loop bit for bit: same generator
// stream, same sums in the same order, same rounding. Everything below asserts exact equality.

test('Node 20 runs the WebAssembly SIMD kernel (else every equality below would test the fallback against itself)', () => {
  assert.equal(wasmKernelAvailable(), true);
});

test('the kernel draws exactly the Gaussians of Rng, tail and wedge branches included, and hands back the same state', () => {
  const k = createSgdKernel(50_000, 1, 1)!;
  const rng = new Rng(2024);
  k.setRngState(rng.getState());
  k.drawInput(0);
  const expected = rng.fillGaussian(new Float64Array(50_000));
  assert.deepEqual(k.x[0], expected);
  assert.deepEqual(k.rngState(), rng.getState());
  // Beyond R = 3.44 (the tail branch): about 29 expected in 50 000 draws; the stream must have some.
  assert.ok(expected.some((v) => Math.abs(v) > 3.442619855899));
  const singles = Array.from({ length: 20_000 }, () => k.gaussian());
  singles.forEach((v) => assert.equal(v, rng.gaussian()));
  assert.deepEqual(k.rngState(), rng.getState());
});

test('the kernel\'s fields λ = W x/√N equal the JavaScript dot products exactly, for N not a multiple of 4 and odd p', () => {
  const N = 1003, p = 3, pStar = 1;
  const k = createSgdKernel(N, p, pStar)!;
  const rng = new Rng(5);
  rng.fillGaussian(k.W);
  rng.fillGaussian(k.T);
  const state = rng.getState();
  k.setRngState(state);
  k.drawInput(0);
  k.studentFields(0);
  k.teacherFields(0);
  const x = rng.fillGaussian(new Float64Array(N));
  const dot = (A: Float64Array, r: number) => {
    let d0 = 0, d1 = 0, d2 = 0, d3 = 0, n = 0;
    for (; n + 3 < N; n += 4) { d0 += A[r * N + n] * x[n]; d1 += A[r * N + n + 1] * x[n + 1]; d2 += A[r * N + n + 2] * x[n + 2]; d3 += A[r * N + n + 3] * x[n + 3]; }
    for (; n < N; n++) d0 += A[r * N + n] * x[n];
    return ((d0 + d1) + (d2 + d3)) * (1 / Math.sqrt(N));
  };
  for (let r = 0; r < p; r++) assert.equal(k.lambda[r], dot(k.W, r));
  assert.equal(k.nu[0], dot(k.T, 0));
});

function weights(N: number, p: number, pStar: number, seed: number, scale = 0.3): Weights {
  const rng = new Rng(seed);
  const W = rng.fillGaussian(new Float64Array(p * N)).map((w) => scale * w);
  return { N, p, pStar, W, teacher: rng.fillGaussian(new Float64Array(pStar * N)) };
}

function bothEngines(setup: SgdSetup, init: Weights, saveAt: number[], seed: number) {
  const js = simulateSgd(setup, init, saveAt, sgdStreams(seed, 0), { engine: 'js' });
  const wasm = simulateSgd(setup, init, saveAt, sgdStreams(seed, 0), { engine: 'wasm' });
  return { js, wasm };
}

const cases: { name: string; setup: SgdSetup; N: number }[] = [
  { name: 'quadratic, mean readout, label noise, N = 1001', N: 1001, setup: { network: makeNetwork(4, 2, square), p: 4, pStar: 2, eta: 0.5, noise: 0.3 } },
  { name: 'quadratic with weight decay (the shrinking update), N = 998', N: 998, setup: { network: makeNetwork(3, 2, square), p: 3, pStar: 2, eta: 0.5, noise: 0, weightDecay: 0.2 } },
  { name: 'erf committee, trained second layer, p = 5', N: 600, setup: { network: makeNetwork(5, 3, erfActivation, erfActivation, 'sum'), p: 5, pStar: 3, eta: 0.8, noise: 0.01, secondLayerRate: 0.5 } },
  { name: 'ReLU, p = 1, p* = 1', N: 513, setup: { network: makeNetwork(1, 1, reluActivation), p: 1, pStar: 1, eta: 0.4, noise: 0 } },
];

for (const c of cases) {
  test(`kernel and plain loop give identical trajectories: ${c.name}`, () => {
    const { setup, N } = c;
    const { js, wasm } = bothEngines(setup, weights(N, setup.p, setup.pStar, 11), [0, 0.5, 1, 3], 77);
    assert.deepEqual(wasm.alpha, js.alpha);
    assert.deepEqual(wasm.loss, js.loss);
    assert.deepEqual(wasm.Q, js.Q);
    assert.deepEqual(wasm.M, js.M);
    assert.deepEqual(wasm.v, js.v);
    assert.deepEqual([wasm.stats.wasmKernel, js.stats.wasmKernel], [1, 0], 'the trajectory says which loop ran');
    assert.ok(js.loss.every(Number.isFinite) && js.loss[3] !== js.loss[0], 'the run moved');
  });
}

test('a checkpoint written by one engine resumes in the other to the uninterrupted result', () => {
  const setup: SgdSetup = { network: makeNetwork(4, 2, square), p: 4, pStar: 2, eta: 0.5, noise: 0.2 };
  const init = weights(400, 4, 2, 3);
  const saveAt = [0, 0.5, 1, 1.5, 2];
  const full = simulateSgd(setup, init, saveAt, sgdStreams(9, 0), { engine: 'wasm' });
  for (const [first, second] of [['wasm', 'js'], ['js', 'wasm']] as const) {
    const saved: SgdCheckpoint[] = [];
    simulateSgd(setup, init, saveAt, sgdStreams(9, 0), { engine: first, checkpoint: { everySeconds: 0, write: (s) => saved.push(s) } });
    // Fresh streams of another seed: everything needed comes from the checkpoint (both generator states).
    const resumed = simulateSgd(setup, init, saveAt, sgdStreams(0, 3), { engine: second, resume: saved[1] });
    assert.deepEqual(resumed.loss, full.loss, `${first} → ${second}`);
    assert.deepEqual(resumed.Q, full.Q, `${first} → ${second}`);
  }
});

test('after a run the caller\'s generators (inputs and label noise) are where the plain loop leaves them', () => {
  const setup: SgdSetup = { network: makeNetwork(2, 1, square), p: 2, pStar: 1, eta: 0.3, noise: 0.1 };
  const init = weights(200, 2, 1, 4);
  const a = sgdStreams(1, 0), b = sgdStreams(1, 0);
  simulateSgd(setup, init, [0.25, 1], a, { engine: 'js' });
  simulateSgd(setup, init, [0.25, 1], b, { engine: 'wasm' });
  assert.deepEqual(b.inputs.getState(), a.inputs.getState());
  assert.deepEqual(b.labelNoise.getState(), a.labelNoise.getState());
  // 200 steps, one label-noise draw each: the noise stream moved, by ziggurat draws of its own.
  const fresh = new Rng(1, 'labelNoise', 0);
  for (let i = 0; i < 200; i++) fresh.gaussian();
  assert.deepEqual(a.labelNoise.getState(), fresh.getState());
});
