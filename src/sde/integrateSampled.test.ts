import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../model/config.js';
import { makeProblem, initialCondition } from '../model/problem.js';
import { simulateSdeEnsemble, sampledSdeSetup, sdeSetup } from './ensemble.js';
import { simulateSampledSde } from './integrateSampled.js';
import { simulateEnsemble, type Ensemble } from '../sim/ensemble.js';
import { compareEnsembles } from '../analysis/sdeValidation.js';
import { solveOde } from '../ode/solve.js';
import { Rng } from '../random/rng.js';
import type { SgdStats, SdeStats } from '../model/trajectory.js';

test('the sampled-noise SDE of an erf committee (batch 2, power-law η, trained second layer) is its ODE at N = 10¹⁵: the gap at α = 3 halves with h', () => {
  const config = parseConfig({ activation: 'erf', readout: 'sum', p: 2, pStar: 2, N: 1e15, alphaMax: 3, savePoints: 12, batchSize: 2, trainSecondLayer: true, eta: { schedule: 'power', eta0: 1, alpha0: 1, exponent: 0.5 }, init: { Q: [[0.01, 0.002], [0.002, 0.012]], M: [[0.05, 0.01], [-0.02, 0.04]], P: [[1, 0], [0, 1]] } }, { weights: false });
  const problem = makeProblem(config);
  assert.equal(sdeSetup(problem), null, 'not on the exact (quadratic) path');
  const initial = initialCondition(config).overlaps;
  const ode = solveOde(problem, initial);
  const end = ode.loss[ode.loss.length - 1];
  const gap = (h: number) => {
    const t = simulateSdeEnsemble(makeProblem({ ...config, sdeStep: h }), { initial: { overlaps: initial } }).runs[0];
    assert.ok(t.v && t.v.length === t.alpha.length, 'the trained second layer is saved');
    return Math.abs(t.loss[t.loss.length - 1] - end) / end;
  };
  const g1 = gap(0.04), g2 = gap(0.02);
  assert.ok(g1 > 1e-5 && g1 < 0.2, `gap at h = 0.04: ${g1}`);
  assert.ok(g2 / g1 > 0.4 && g2 / g1 < 0.6, `ratio ${g2 / g1} (gaps ${g1}, ${g2})`);
});

test('for the quadratic network the sampled-noise SDE and the exact-noise SDE give the same escape α and final-distance distributions (N = 256, 24 runs each; means within 3 standard errors, standard deviations within a factor 1.8, KS p > 0.01)', () => {
  const config = parseConfig({ N: 256, runs: 24, alphaMax: 40, savePoints: 80 });
  const problem = makeProblem(config);
  const initial = initialCondition(config).overlaps;
  const exact = simulateSdeEnsemble(problem, { initial: { overlaps: initial } });
  const setup = sampledSdeSetup(problem, Float64Array.from(initial.P));
  const sampled = Array.from({ length: 24 }, (_, r) => simulateSampledSde(setup, initial, problem.network.v, problem.saveAt, new Rng(config.seed + 1, 'sdeNoise', r)));
  const c = compareEnsembles(exact.runs, sampled);
  for (const [what, s] of [['escape', c.escape], ['bias', c.bias]] as const) {
    const se = Math.sqrt(s.sgd.std ** 2 / s.sgd.n + s.sde.std ** 2 / s.sde.n);
    const msg = `${what}: exact ${s.sgd.mean} ± ${s.sgd.std}, sampled ${s.sde.mean} ± ${s.sde.std}, KS p = ${s.ks.pValue}`;
    assert.ok(s.sgd.n === 24 && s.sde.n === 24, msg);
    assert.ok(Math.abs(s.sde.mean - s.sgd.mean) < 3 * se, msg);
    assert.ok(s.sde.std / s.sgd.std > 1 / 1.8 && s.sde.std / s.sgd.std < 1.8, msg);
    assert.ok(s.ks.pValue > 0.01, msg);
  }
});

function lnStd(e: Ensemble<SgdStats> | Ensemble<SdeStats>, i: number): number {
  const v = (e.runs as { loss: Float64Array }[]).map((t) => Math.log(t.loss[i])), m = v.reduce((s, x) => s + x, 0) / v.length;
  return Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / (v.length - 1));
}

/*
 * erf committee K = M = 2 (sum readout, η = 0.5, σ² = 10⁻³) at N = 512, 24 runs each from the same
 * weights, α ≤ 3 (the fast first descent, where the spread over runs grows from 0 to 6 % of ε).
 * SDE step h = 0.0125: Euler–Maruyama's drift error at α = 3 is 2.8 % of ε at h = 0.05,
 * 0.7 % here (measured against the ODE at N = 10¹⁵), below the standard error of the mean (≈ 1.2 %).
 * Tolerances: the mean loss within 3 combined standard errors at five α; the spread over runs
 * (standard deviation of ln ε) within a factor 1.8. Negative control: the SDE at 16 N (noise a
 * quarter as large) has the right mean but its spread is rejected at every one of the five α.
 */
test('erf K = M = 2: the sampled-noise SDE ensemble matches SGD at N = 512 (mean loss within 3 standard errors and spread within a factor 1.8 at five α); with a quarter of the noise the spread is rejected', () => {
  const cfg = { activation: 'erf', readout: 'sum', p: 2, pStar: 2, N: 512, runs: 24, alphaMax: 3, savePoints: 12, eta: 0.5, sdeStep: 0.0125 };
  const config = parseConfig(cfg);
  const problem = makeProblem(config);
  const initial = initialCondition(config);
  const sgd = simulateEnsemble(problem, initial), sde = simulateSdeEnsemble(problem, { initial });
  const quiet = simulateSdeEnsemble(makeProblem(parseConfig({ ...cfg, N: 16 * 512 }, { weights: false })), { initial });
  for (const a of [0.18, 0.37, 0.74, 1.49, 3]) {
    const i = sgd.alpha.findIndex((x) => x >= a);
    assert.ok(Math.abs(sgd.alpha[i] - a) < 0.02 && sde.alpha[i] === sgd.alpha[i], `α grid: ${sgd.alpha[i]}`);
    const se = Math.sqrt((sgd.lossStd[i] ** 2 + sde.lossStd[i] ** 2) / 24), r = lnStd(sde, i) / lnStd(sgd, i), rq = lnStd(quiet, i) / lnStd(sgd, i);
    const msg = `α = ${sgd.alpha[i]}: SGD ${sgd.lossMean[i]} ± ${sgd.lossStd[i]}, SDE ${sde.lossMean[i]} ± ${sde.lossStd[i]}; sd of ln ε SDE/SGD ${r}, quiet/SGD ${rq}`;
    assert.ok(Math.abs(sde.lossMean[i] - sgd.lossMean[i]) < 3 * se, msg);
    assert.ok(r > 1 / 1.8 && r < 1.8, msg);
    assert.ok(rq < 1 / 1.8, msg);
  }
  assert.ok(sde.runs.every((t) => t.status === 'completed'));
});
