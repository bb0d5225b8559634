import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../model/config.js';
import { makeProblem, initialCondition } from '../model/problem.js';
import { simulateSdeEnsemble, sdeCommonOverlaps, sdeSetup } from './ensemble.js';
import { simulateEnsemble, type Ensemble } from '../sim/ensemble.js';
import { compareEnsembles } from '../analysis/sdeValidation.js';
import { solveOde } from '../ode/solve.js';
import type { SgdStats, SdeStats } from '../model/trajectory.js';

const base = { N: 500, runs: 3, alphaMax: 2, savePoints: 5 };

test('SDE "data" runs start from the overlaps of the config\'s weights (those of sim and ode); "init" runs from draws of their law, one per run; at N = 10⁹ the common start is a draw of the law (Q ≈ σ² I to 10⁻⁴)', () => {
  const data = simulateSdeEnsemble(makeProblem(parseConfig(base)));
  const w = initialCondition(parseConfig(base)).overlaps;
  // Equal up to the rounding of the round trip Q → Q⊥ = Q − MP⁻¹Mᵀ → Q.
  for (const t of data.runs) for (let i = 0; i < 16; i++) assert.ok(Math.abs(t.Q[0][i] - w.Q[i]) < 1e-18, `${t.Q[0][i]} vs ${w.Q[i]}`);
  const init = simulateSdeEnsemble(makeProblem(parseConfig({ ...base, ensemble: 'init' })));
  assert.notDeepEqual(init.runs[0].Q[0], init.runs[1].Q[0]);
  const big = sdeCommonOverlaps(makeProblem(parseConfig({ ...base, N: 1e9 }, { weights: false })));
  for (let k = 0; k < 4; k++) for (let l = 0; l < 4; l++) assert.ok(Math.abs(big.Q[k * 4 + l] - (k === l ? 1e-3 : 0)) < 1e-7);
});

test('the exact noise is chosen for σ = z² with a uniform readout (sum: through its mean-readout equivalent), the sampled one for other networks; sdeNoise "exact" on those is refused with a one-line error naming the key', () => {
  assert.equal(sdeSetup(makeProblem(parseConfig(base)))?.meanEquivalent, undefined);
  assert.deepEqual(sdeSetup(makeProblem(parseConfig({ ...base, readout: 'sum' })))?.meanEquivalent, { a: Math.sqrt(2 / 4), lossScale: 16 });
  assert.equal(sdeSetup(makeProblem(parseConfig({ ...base, sdeNoise: 'sampled' }))), null);
  for (const set of [{ activation: 'relu' }, { trainSecondLayer: true }, { teacherReadout: [1, 2] }, { readout: 'sum', teacherReadout: [-1, -1] }]) {
    assert.equal(sdeSetup(makeProblem(parseConfig({ ...base, ...set }))), null, JSON.stringify(set));
    const problem = makeProblem(parseConfig({ ...base, ...set, sdeNoise: 'exact' }));
    assert.throws(() => simulateSdeEnsemble(problem), (e: Error & { field?: string }) => e.field === 'sdeNoise' && !e.message.includes('\n'), JSON.stringify(set));
  }
});

test('a mini-batch SDE with an η schedule is the ODE of the same protocol at N = 10¹⁵: the gap at α = 30 halves with h (batch 3, power and piecewise η; the jump is a step boundary)', () => {
  const schedules = [
    { schedule: 'power', eta0: 1.5, alpha0: 10, exponent: 0.5 },
    { schedule: 'piecewise', values: [1.8, 0.9], until: [7.3] },
  ];
  for (const eta of schedules) {
    const config = parseConfig({ N: 1e15, alphaMax: 30, savePoints: 40, batchSize: 3, eta, init: { Q: [[0.01, 0, 0, 0], [0, 0.01, 0, 0], [0, 0, 0.01, 0], [0, 0, 0, 0.01]], M: [[0.02, 0.01], [0, 0.015], [-0.01, 0.01], [0.005, -0.02]], P: [[1, 0], [0, 1]] } }, { weights: false });
    const problem = makeProblem(config);
    const initial = initialCondition(config).overlaps;
    const ode = solveOde(problem, initial);
    const end = ode.loss[ode.loss.length - 1];
    const gap = (h: number) => {
      const t = simulateSdeEnsemble(makeProblem({ ...config, sdeStep: h, runs: 1 }), { initial: { overlaps: initial } }).runs[0];
      return Math.abs(t.loss[t.loss.length - 1] - end) / end;
    };
    const g1 = gap(0.04), g2 = gap(0.02);
    assert.ok(g1 > 1e-5 && g1 < 0.2, `${JSON.stringify(eta)}: gap at h = 0.04: ${g1}`);
    assert.ok(g2 / g1 > 0.4 && g2 / g1 < 0.6, `${JSON.stringify(eta)}: ratio ${g2 / g1} (gaps ${g1}, ${g2})`);
  }
});

/*
 * Mini-batch SDE against mini-batch SGD (N = 256, 24 runs each, the same initial weights).
 * Tolerances as in src/analysis/sdeValidation.test.ts: means within 3 combined standard errors,
 * standard deviations within a factor 1.8, KS p > 0.01; the loss mean at five α within 3
 * combined standard errors, and its spread over runs within a factor 1.8, measured as the
 * standard deviation of ln ε: after the escape ε ≈ exp of a linear function of the run's escape
 * α, nearly Gaussian in ln ε, while the plain standard deviation of 24 such skewed values is
 * one run's (it varied by a factor 2.4 between seeds at α = 36).
 */
type AnyEnsemble = Ensemble<SgdStats> | Ensemble<SdeStats>;

function lnStd(e: AnyEnsemble, i: number): number {
  const v = (e.runs as { loss: Float64Array }[]).map((t) => Math.log(t.loss[i])), m = v.reduce((s, x) => s + x, 0) / v.length;
  return Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / (v.length - 1));
}

function agrees(sgd: AnyEnsemble, sde: AnyEnsemble, label: string, lossAt: readonly number[]): void {
  const c = compareEnsembles(sgd.runs, sde.runs);
  for (const [what, s] of [['escape', c.escape], ['bias', c.bias]] as const) {
    const se = Math.sqrt(s.sgd.std ** 2 / s.sgd.n + s.sde.std ** 2 / s.sde.n);
    const msg = `${label} ${what}: SGD ${s.sgd.mean} ± ${s.sgd.std} (${s.sgd.n}), SDE ${s.sde.mean} ± ${s.sde.std} (${s.sde.n}), KS p = ${s.ks.pValue}`;
    assert.ok(s.sgd.n === 24 && s.sde.n === 24, msg);
    assert.ok(Math.abs(s.sde.mean - s.sgd.mean) < 3 * se, msg);
    assert.ok(s.sde.std / s.sgd.std > 1 / 1.8 && s.sde.std / s.sgd.std < 1.8, msg);
    assert.ok(s.ks.pValue > 0.01, msg);
  }
  for (const a of lossAt) {
    const i = sgd.alpha.findIndex((x) => x >= a), n = sgd.runs.length;
    const se = Math.sqrt((sgd.lossStd[i] ** 2 + sde.lossStd[i] ** 2) / n);
    const r = lnStd(sde, i) / lnStd(sgd, i);
    const msg = `${label} loss at α = ${sgd.alpha[i]}: SGD ${sgd.lossMean[i]} ± ${sgd.lossStd[i]}, SDE ${sde.lossMean[i]} ± ${sde.lossStd[i]}; sd of ln ε SDE/SGD ${r}`;
    assert.equal(sde.alpha[i], sgd.alpha[i]);
    assert.ok(Math.abs(sde.lossMean[i] - sgd.lossMean[i]) < 3 * se, msg);
    assert.ok(r > 1 / 1.8 && r < 1.8, msg);
  }
}

test('batch-4 SDE ensembles match batch-4 SGD at N = 256 (escape α, final distance to the closest solution, loss mean and spread at five α); without the 1/batchSize of the per-step noise covariance (the SDE at N/4) the escape is rejected', () => {
  const cfg = { N: 256, runs: 24, alphaMax: 40, savePoints: 80, batchSize: 4, eta: 2 };
  const config = parseConfig(cfg);
  const problem = makeProblem(config);
  const initial = initialCondition(config);
  const sgd = simulateEnsemble(problem, initial), sde = simulateSdeEnsemble(problem, { initial });
  agrees(sgd, sde, 'batch 4', [6, 10, 15, 23, 36]);
  // Negative control: covariance n_b times too large per unit α, i.e. the right SDE at N/n_b.
  const wrong = simulateSdeEnsemble(makeProblem(parseConfig({ ...cfg, N: 64 }, { weights: false })), { initial });
  const k = compareEnsembles(sgd.runs, wrong.runs);
  assert.ok(k.escape.ks.pValue < 0.01, `without 1/n_b: escape SGD ${k.escape.sgd.mean} ± ${k.escape.sgd.std}, SDE ${k.escape.sde.mean} ± ${k.escape.sde.std}, KS p = ${k.escape.ks.pValue}`);
});

test('batch-2 SDE ensembles with a piecewise η (1 → 0.6 at α = 6, on the plateau) match batch-2 SGD at N = 256', () => {
  const config = parseConfig({ N: 256, runs: 24, alphaMax: 40, savePoints: 80, batchSize: 2, eta: { schedule: 'piecewise', values: [1, 0.6], until: [6] } });
  const problem = makeProblem(config);
  const initial = initialCondition(config);
  agrees(simulateEnsemble(problem, initial), simulateSdeEnsemble(problem, { initial }), 'batch 2, piecewise η', [5, 10, 15, 23, 36]);
});

test('the sum readout (c = 4, c* = 2 through teacherReadout [1, 1], η = 1/16, Δ = 0.01) runs as its exact mean-readout equivalent: its SDE ensemble matches SGD at N = 256 (escape α, distance, loss mean and spread at four α), where the ODE is far later', () => {
  const config = parseConfig({ N: 256, runs: 24, alphaMax: 30, savePoints: 60, readout: 'sum', teacherReadout: [1, 1], eta: 1 / 16, noise: 0.01 });
  const problem = makeProblem(config);
  const initial = initialCondition(config);
  const sgd = simulateEnsemble(problem, initial), sde = simulateSdeEnsemble(problem, { initial });
  // ε(0) = c²ε' of the mapped problem: the same number as SGD's from the same weights.
  assert.ok(Math.abs(sde.lossMean[0] - sgd.lossMean[0]) < 1e-12 * sgd.lossMean[0], `${sde.lossMean[0]} vs ${sgd.lossMean[0]}`);
  assert.ok(sde.runs[0].M[0].every((m, i) => Math.abs(m - initial.overlaps.M[i]) < 1e-15));
  agrees(sgd, sde, 'sum readout', [10, 15, 23, 29]);
  // Power of the comparison: the ODE from the same overlaps is off by > 5 standard errors at α = 15.
  const ode = solveOde(problem, initial.overlaps, { saveAt: sgd.alpha });
  const i = sgd.alpha.findIndex((a) => a >= 15);
  assert.ok(ode.loss[i] - sgd.lossMean[i] > 5 * sgd.lossStd[i] / Math.sqrt(24), `ODE ${ode.loss[i]}, SGD ${sgd.lossMean[i]} ± ${sgd.lossStd[i]}`);
});
