import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareEnsembles, ks2, escapeAlpha, finalBias } from './sdeValidation.js';
import { parseConfig } from '../model/config.js';
import { makeProblem, initialCondition } from '../model/problem.js';
import { simulateEnsemble } from '../sim/ensemble.js';
import { simulateSdeEnsemble } from '../sde/ensemble.js';
import { solveOde } from '../ode/solve.js';
import { Rng } from '../random/rng.js';

test('two-sample KS: identical samples give D = 0, p = 1; disjoint ones D = 1 and a tiny p; same-law samples of 200 do not reject', () => {
  assert.deepEqual(ks2([1, 2, 3], [1, 2, 3]), { D: 0, pValue: 1 });
  const far = ks2([1, 2, 3, 4, 5, 6, 7, 8], [11, 12, 13, 14, 15, 16, 17, 18]);
  assert.equal(far.D, 1);
  assert.ok(far.pValue < 1e-3);
  const rng = new Rng(7);
  const a = Array.from({ length: 200 }, () => rng.gaussian()), b = Array.from({ length: 200 }, () => rng.gaussian());
  assert.ok(ks2(a, b).pValue > 0.01);
});

/*
 * The decisive small version of the validation (the full one, 64 runs at N = 1000 and 4000, is
 * `npm run validate:sde`, numbers in the README): N = 250, 24 runs each, η = 0.5, σ² = 10⁻³, the
 * same initial weights. Tolerances: means within 3 combined standard errors and 10 %, standard
 * deviations within a factor 1.8 (each has ≈ 15 % relative error at 24 runs), KS p > 0.01.
 */
test('SDE and SGD ensembles at N = 250 (24 runs) agree on the escape α and on the final distance to the closest solution, which the ODE misses (finite-N effect); an SDE without noise (N = 10¹²) is rejected', () => {
  const config = parseConfig({ N: 250, runs: 24, alphaMax: 40, savePoints: 80 });
  const problem = makeProblem(config);
  const initial = initialCondition(config);
  const sgd = simulateEnsemble(problem, initial), sde = simulateSdeEnsemble(problem, { initial });
  const c = compareEnsembles(sgd.runs, sde.runs);
  for (const [what, s] of [['escape', c.escape], ['bias', c.bias]] as const) {
    const se = Math.sqrt(s.sgd.std ** 2 / s.sgd.n + s.sde.std ** 2 / s.sde.n);
    const msg = `${what}: SGD ${s.sgd.mean} ± ${s.sgd.std}, SDE ${s.sde.mean} ± ${s.sde.std}, KS p = ${s.ks.pValue}`;
    assert.equal(s.sgd.n, 24, msg);
    assert.equal(s.sde.n, 24, msg);
    assert.ok(Math.abs(s.sde.mean - s.sgd.mean) < 3 * se && Math.abs(s.sde.mean - s.sgd.mean) < 0.1 * s.sgd.mean, msg);
    assert.ok(s.sde.std / s.sgd.std > 1 / 1.8 && s.sde.std / s.sgd.std < 1.8, msg);
    assert.ok(s.ks.pValue > 0.01, msg);
  }
  // The finite-N effect: the ODE from the same overlaps ends much nearer the closest solution.
  const ode = solveOde(problem, initial.overlaps);
  assert.ok(c.bias.sde.mean > 2 * finalBias(ode) && c.bias.sgd.mean > 2 * finalBias(ode), `ODE ${finalBias(ode)}, SDE ${c.bias.sde.mean}, SGD ${c.bias.sgd.mean}`);
  // Negative control: without the noise the escape is the ODE's in every run, which the test rejects.
  const quiet = simulateSdeEnsemble(makeProblem(parseConfig({ N: 1e12, runs: 24, alphaMax: 40, savePoints: 80 }, { weights: false })), { initial });
  const k = compareEnsembles(sgd.runs, quiet.runs);
  assert.ok(Math.abs(k.escape.sde.mean - escapeAlpha(ode)) < 0.02 * escapeAlpha(ode) && k.escape.sde.std < 0.01, `noiseless SDE escape ${k.escape.sde.mean} ± ${k.escape.sde.std}, ODE ${escapeAlpha(ode)}`);
  assert.ok(k.escape.ks.pValue < 0.01, `noiseless escape KS p = ${k.escape.ks.pValue}`);
  assert.ok(k.bias.ks.pValue < 0.01, `noiseless bias KS p = ${k.bias.ks.pValue}`);
});
