import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lossStageAt, diagnoseDeviation, divergenceDiagnosis } from './diagnosis.js';
import { odeStability } from '../studies/stability.js';
import { parseConfig, type ConfigInput } from '../model/config.js';
import { makeProblem, initialCondition } from '../model/problem.js';
import { solveOde } from '../ode/solve.js';
import { simulateEnsemble } from '../sim/ensemble.js';

// The constructed curve of plateau.test.ts: initial loss 1 relaxing (rate 1) to a plateau at 0.5,
// a logistic escape centred at α = 30 (ε = 0.25 there), then e^{−0.5α} decay.
const grid = (n: number, lo: number, hi: number) => Float64Array.from({ length: n }, (_, i) => lo * (hi / lo) ** (i / (n - 1)));
const alpha = Float64Array.from([0, ...grid(400, 0.01, 100)]);
const shape = (a: number) => (0.5 + 0.5 * Math.exp(-a)) / (1 + Math.exp(0.5 * (a - 30)));
const curve = { alpha, loss: alpha.map(shape) };

test('stages of a loss curve: initial transient, plateau, escape (until ε = level/20), convergence', () => {
  assert.equal(lossStageAt(curve, 0.5).stage, 'initial transient');
  assert.equal(lossStageAt(curve, 12).stage, 'plateau');
  const esc = lossStageAt(curve, 30);
  assert.equal(esc.stage, 'escape');
  // The escape ends where ε = 0.5/20: 1/(1 + e^{0.5(α − 30)}) = 1/20, α = 30 + 2 ln 19 ≈ 35.9.
  assert.ok(Math.abs(esc.to - (30 + 2 * Math.log(19))) < 0.1, `escape ends at ${esc.to}`);
  assert.equal(lossStageAt(curve, 50).stage, 'convergence');
});

test('a curve that flattens at its end has a final flat stretch; one without a plateau has no escape stage', () => {
  // ε = 0.1 + e^{−α}: falls to 1/20 of its initial 1.1 at α = ln(1/(0.055 − 0.1)) … never, so the
  // transient lasts until the curve flattens near 0.1.
  const flat = { alpha, loss: alpha.map((a) => 0.1 + Math.exp(-a)) };
  const early = lossStageAt(flat, 0.5), late = lossStageAt(flat, 80);
  assert.equal(early.stage, 'initial transient');
  assert.equal(late.stage, 'final flat stretch');
  assert.ok(Math.abs(late.plateau!.loss - 0.1) < 0.01 && late.from > 2 && late.from < 10, JSON.stringify(late));
  for (const a of [0.1, 1, 3, 10, 50]) assert.notEqual(lossStageAt(flat, a).stage, 'escape');
});

test('the deviation is located where it is: a bump in the initial transient is reported there, with no word about an escape', () => {
  const sgd = { alpha, loss: alpha.map((a) => shape(a) + 0.05 * Math.exp(-((a - 0.5) ** 2) / 0.01)) };
  const d = diagnoseDeviation(curve, sgd);
  assert.ok(Math.abs(d.alphaAtMaxAbs - 0.5) < 0.02 && Math.abs(d.maxAbs - 0.05) < 1e-3, JSON.stringify(d));
  assert.equal(d.stage?.stage, 'initial transient');
  assert.match(d.message, /initial transient/);
  assert.doesNotMatch(d.message, /escape|fluctuations/);
  assert.equal(d.escapes.length, 1);
  assert.equal(d.escapes[0].resolved, false, 'both curves cross half the plateau between the same saved points');
});

test('an escape shift is reported when both curves measured it and the saves resolve it: SGD escaping 2 earlier reads shift −2', () => {
  const sgd = { alpha, loss: alpha.map((a) => (0.5 + 0.5 * Math.exp(-a)) / (1 + Math.exp(0.5 * (a + 2 - 30)))) };
  const d = diagnoseDeviation(curve, sgd);
  assert.equal(d.escapes.length, 1);
  const e = d.escapes[0];
  assert.ok(e.resolved && Math.abs(e.odeAlpha! - 30) < 0.3 && Math.abs(e.shift! + 2) < 0.1, JSON.stringify(e));
  assert.match(d.message, /SGD at α = 2[78]\.\d+, ODE at α = (29|30)\.\d+ \(shift −2(\.\d+)?\)/);
  assert.equal(d.stage?.stage, 'escape');
});

test('an SGD curve that stops early (a diverged run) is compared over its α only, and the message says so', () => {
  const n = 200;
  const sgd = { alpha: alpha.subarray(0, n), loss: curve.loss.subarray(0, n) };
  const d = diagnoseDeviation(curve, sgd);
  assert.equal(d.points, n);
  assert.match(d.message, new RegExp(`compared over α ≤ ${Number(alpha[n - 1].toPrecision(4))} only`));
});

test('the standard errors of an ensemble mean are stated: deviation 0.01 with spread 0.02 over 4 runs is 1 standard error', () => {
  const sgd = { alpha, loss: curve.loss.map((e, i) => e + (i === 100 ? 0.01 : 0)), lossStd: alpha.map(() => 0.02), runs: 4 };
  const d = diagnoseDeviation(curve, sgd);
  assert.ok(Math.abs(d.standardErrors! - 1) < 1e-12, String(d.standardErrors));
  assert.match(d.message, /1 standard errors of the mean of 4 runs/);
});

test('Saad–Solla (erf, K = M = 2, sum readout) over α ≤ 40: the ODE curve has no plateau it leaves, so no escape is measured or mentioned', () => {
  const config = parseConfig({ activation: 'erf', readout: 'sum', p: 2, pStar: 2, eta: 0.5, N: 500, alphaMax: 40, savePoints: 100, init: { studentVariance: 0.01 } });
  const problem = makeProblem(config), init = initialCondition(config);
  const ode = solveOde(problem, init.overlaps);
  const e = simulateEnsemble(problem, init);
  const d = diagnoseDeviation(ode, { alpha: e.alpha, loss: e.lossMean });
  assert.equal(d.escapes.length, 0);
  assert.doesNotMatch(d.message, /escape|fluctuations/);
  // The ODE flattens onto the (η-shifted) symmetric plateau near ε ≈ 0.0147 by α ≈ 10.
  assert.equal(lossStageAt(ode, 30).stage, 'final flat stretch');
  assert.equal(lossStageAt(ode, 0.2).stage, 'initial transient');
});

const quadratic = (extra: ConfigInput): ConfigInput => ({ p: 4, pStar: 2, alphaMax: 10, savePoints: 40, init: { teacher: 'orthonormal', studentVariance: 0.1, seed: 7 }, ...extra });

test('SGD that explodes where the ODE from the same overlaps is stable is not blamed on η: it says what was observed and what to try', () => {
  // η = 1 is below the ODE's limit (≈ 1.2 over α ≤ 10) but N = 10 is far from N → ∞: about half
  // of such runs blow up (measured 12 of 20), so 12 runs contain one with probability 1 − 0.4¹².
  const config = parseConfig(quadratic({ eta: 1, N: 10, runs: 12, seed: 100 }));
  const problem = makeProblem(config), init = initialCondition(config);
  const e = simulateEnsemble(problem, init);
  const r = e.runs.findIndex((t) => t.status === 'diverged');
  assert.ok(r >= 0, 'one of the runs diverged');
  const stability = odeStability(config);
  assert.equal(stability.ode.status, 'completed');
  assert.ok(stability.limit.stable! >= (config.eta as number), JSON.stringify(stability.limit));
  const d = divergenceDiagnosis(e.runs[r], stability, e.seed, r)!;
  assert.equal(d.odeStable, true);
  assert.ok(d.divergedAt !== null && d.divergedAt > 0 && d.divergedAt <= config.alphaMax);
  assert.match(d.message, new RegExp(`^SGD run ${r} \\(seed ${e.seed}\\) diverged at α = [\\d.]+: the student norm Q\\[\\d\\]\\[\\d\\] reached`));
  assert.match(d.message, /The ODE from the same overlaps is stable at η = 1: it stays finite over α ≤ 10 up to η ≈ [\d.]+/);
  assert.match(d.message, /try a larger N, a smaller eta, or other seeds/);
  assert.doesNotMatch(d.message, /is beyond|stability limit/);
});

test('a limit quoted as exceeded is always below η and names its α range; over α ≤ 2 and α ≤ 40 the limits differ and each says so', () => {
  for (const alphaMax of [2, 40]) {
    const config = parseConfig(quadratic({ eta: 4, alphaMax }));
    const ode = solveOde(makeProblem(config), initialCondition(config).overlaps);
    assert.equal(ode.status, 'diverged');
    const s = odeStability(config, ode);
    const d = divergenceDiagnosis(ode, s)!;
    const quoted = Number(/up to η ≈ ([\d.]+)/.exec(d.message)![1]);
    assert.ok(quoted < (config.eta as number), d.message);
    assert.match(d.message, new RegExp(`^ODE diverged at α = [\\d.]+: .*over α ≤ ${alphaMax} up to η ≈ [\\d.]+ .*η = 4 is beyond that`));
  }
});

test('SGD and ODE both diverging: the message gives the ODE\'s own α of divergence', () => {
  const config = parseConfig(quadratic({ eta: 4, N: 200, alphaMax: 2 }));
  const problem = makeProblem(config), init = initialCondition(config);
  const ode = solveOde(problem, init.overlaps);
  const sgd = simulateEnsemble(problem, init).runs[0];
  assert.equal(sgd.status, 'diverged');
  const d = divergenceDiagnosis(sgd, odeStability(config, ode), config.seed)!;
  assert.equal(d.odeStable, false);
  assert.match(d.message, new RegExp(`The ODE from the same overlaps diverges too at α = ${Number(ode.divergedAt!.toPrecision(4))}; it stays finite over α ≤ 2 up to η ≈ [\\d.]+ .*η = 4 is beyond that`));
});

test('a run that never leaves its initial transient says so in words, never "α < Infinity"', () => {
  // ε = 1 − 0.1 α/100 on α ≤ 100: never falls to 1/20 of its initial value, never flattens.
  const slow = { alpha, loss: alpha.map((a) => 1 - 0.001 * a) };
  const sgd = { alpha, loss: slow.loss.map((l, i) => l + (i === 200 ? 0.01 : 0)) };
  const d = diagnoseDeviation(slow, sgd);
  assert.equal(d.stage?.stage, 'initial transient');
  assert.match(d.message, /covers every α compared \(α ≤ 100:/);
  assert.doesNotMatch(d.message, /Infinity/);
});

test('an SDE run that blows up is named as an SDE run, not an SGD one', () => {
  const config = parseConfig({ eta: 1, alphaMax: 10, N: 200 });
  const stability = odeStability(config);
  const run = { solver: 'sde' as const, status: 'diverged' as const, message: 'diverged at α = 3.2: the student norm Q[0][0] reached 1e3', divergedAt: 3.2, alpha: Float64Array.of(0, 3) };
  const d = divergenceDiagnosis(run, stability, 7, 2)!;
  assert.match(d.message, /^SDE run 2 \(seed 7\) diverged at α = 3\.2/);
  assert.doesNotMatch(d.message, /SGD/);
});
