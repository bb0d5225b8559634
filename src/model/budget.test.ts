import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from './config.js';
import { ConfigError } from './errors.js';
import { runMemoryBytes, keptPointCount, sgdWork, sdeWork, MAX_RUN_BYTES, CONFIRM_SECONDS, MAX_STEPS, odeSeconds } from './budget.js';

test('saved overlaps are estimated up front: p = 512 at 300 save points (3.8 GB measured) is refused, naming the keys to change', () => {
  const c = { p: 512, pStar: 2, runs: 1, trainSecondLayer: false, savePoints: 300 };
  const perPoint = 8 * (512 * 512 + 512 * 2) + 512;
  assert.equal(runMemoryBytes(c), 300 * perPoint * (1 + 4) + 16 * 8 * (512 * 512 + 512 * 2));
  assert.ok(runMemoryBytes(c) > MAX_RUN_BYTES);
  assert.throws(() => parseConfig({ p: 512, N: 2, alphaMax: 150 }), (e: unknown) => e instanceof ConfigError && e.field === 'savePoints' && /need about 3\.\d GiB of memory; at most 2\.0 GiB: lower savePoints \(or the length of saveAt\), p or runs/.test(e.message));
  assert.throws(() => parseConfig({ p: 512, N: 2, alphaMax: 150, saveAt: Array.from({ length: 300 }, (_, i) => i / 2) }), (e: unknown) => e instanceof ConfigError && e.field === 'saveAt');
  parseConfig({ p: 512, N: 2, alphaMax: 150, savePoints: 50 });
});

test('widths are capped by the memory estimate: p = 4096 is refused even with 2 save points; ensembles count every run', () => {
  assert.throws(() => parseConfig({ p: 4096, N: 2, savePoints: 2 }), /savePoints: 2 save points of p = 4096/);
  parseConfig({ runs: 10000, N: 200, alphaMax: 2 });
  assert.throws(() => parseConfig({ runs: 10000, p: 16, N: 200, alphaMax: 2 }), /for 10000 run\(s\) need about/);
});

test('SGD work: α_max·N steps per run, runs shared among threads; α_max = 10⁹ needs consent, 10³⁰⁸ cannot be counted', () => {
  const base = { N: 2000, p: 4, pStar: 2, runs: 1 };
  const w = sgdWork({ ...base, alphaMax: 1e9 }, 2);
  assert.equal(w.stepsPerRun, 2e12);
  assert.ok(w.seconds > CONFIRM_SECONDS);
  assert.ok(!(sgdWork({ ...base, alphaMax: 1e308 }, 2).stepsPerRun <= MAX_STEPS));
  const one = sgdWork({ ...base, alphaMax: 80, runs: 1 }, 4).seconds;
  assert.equal(sgdWork({ ...base, alphaMax: 80, runs: 4 }, 4).seconds, one);
  assert.equal(sgdWork({ ...base, alphaMax: 80, runs: 8 }, 4).seconds, 2 * one);
  assert.ok(one < 10, 'the default run is seconds');
  assert.ok(odeSeconds({ alphaMax: 80, p: 4, pStar: 2 }) < 1);
});

test('a p = 512 run that the overlaps at 300 points would not fit (3.8 GB measured) is accepted when it keeps only some: saveOverlaps "none" or k', () => {
  assert.throws(() => parseConfig({ p: 512, N: 2, alphaMax: 150 }), /saveOverlaps: "none" or k/);
  parseConfig({ p: 512, N: 2, alphaMax: 150, saveOverlaps: 'none' });
  parseConfig({ p: 512, N: 2, alphaMax: 150, saveOverlaps: 30 });
  assert.equal(keptPointCount({ savePoints: 300, saveOverlaps: 'none' }), 2);
  assert.equal(keptPointCount({ savePoints: 300, saveOverlaps: 30 }), 11);
  assert.equal(keptPointCount({ savePoints: 300 }), 300);
  assert.ok(runMemoryBytes({ p: 512, pStar: 2, runs: 1, trainSecondLayer: false, savePoints: 300, saveOverlaps: 'none' }) < 0.2 * 2 ** 30);
});

test('SDE work: the exact noise\'s D×D covariance is refused above 2 GiB (p = 256 was killed for memory) and its D³ Cholesky factor is costed; save times count as steps', () => {
  const at = (p: number, more: Record<string, unknown> = {}) => parseConfig({ p, N: 300, alphaMax: 20, ...more });
  // D = p(p+1)/2 + p p* = 33408 at p = 256: 16 D² bytes = 17 GiB.
  assert.throws(() => sdeWork(at(256), true), (e: unknown) => e instanceof ConfigError && e.field === 'sdeNoise' && /"auto" takes the exact noise here.*33408×33408.*about 17 GiB of memory; at most 2\.0 GiB: set sdeNoise to "sampled"/.test(e.message));
  assert.throws(() => sdeWork(at(256, { sdeNoise: 'exact' }), true), /sdeNoise: "exact" needs the 33408×33408 covariance/);
  assert.ok(sdeWork(at(256, { sdeNoise: 'sampled' }), false).seconds < 3600);
  // p = 48 (D = 1272): ≈ 60 ms a step measured; the quadratic term alone gave 60 ms at p = 48 but 41 s instead of ~1100 s at p = 256's D.
  const p48 = sdeWork(at(48, { savePoints: 2 }), true);
  assert.equal(p48.steps, 200 + 2);
  assert.ok(p48.seconds / p48.steps > 0.05 && p48.seconds / p48.steps < 0.08, `${p48.seconds / p48.steps}`);
  const p128 = sdeWork(at(128, { savePoints: 2 }), true); // D = 8512: the Cholesky factor dominates
  assert.ok(Math.abs(p128.seconds / p128.steps / (3e-11 * 8512 ** 3) - 1) < 1e-12);
  // The default setup: 200 steps of h = 0.1 plus 300 save times.
  assert.equal(sdeWork(parseConfig({ alphaMax: 20 }), true).steps, 500);
});

test('ODE work of mixed activations: every η² term is a 24⁴-node quadrature, costed per term (p = 4, p* = 2 took 8.2 s an evaluation and was estimated at 24 µs in all)', () => {
  const mixed = odeSeconds({ p: 4, pStar: 2, alphaMax: 80, activation: 'square', teacherActivation: 'erf' });
  // 210 quadrature terms an evaluation at 0.05 s, 210 evaluations: about 37 minutes, announced (> 60 s).
  assert.ok(Math.abs(mixed - 210 * 0.05 * 210) < 1e-9, `${mixed}`);
  assert.ok(odeSeconds({ p: 1, pStar: 1, alphaMax: 10, activation: 'square', teacherActivation: 'erf' }) > 8 * 0.5);
  // The SDE's drift is that right-hand side, once a step.
  const sde = sdeWork(parseConfig({ teacherActivation: 'erf', alphaMax: 10, savePoints: 2 }), false);
  assert.ok(Math.abs(sde.seconds - 102 * 210 * 0.05) < 1e-9, `${sde.seconds}`);
  // Same activation for both (closed forms) keeps its estimate.
  assert.ok(odeSeconds({ p: 4, pStar: 2, alphaMax: 80, activation: 'erf', teacherActivation: 'erf' }) < 1);
});
