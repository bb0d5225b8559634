import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../model/config.js';
import { makeProblem, initialCondition } from '../model/problem.js';
import { simulateSdeEnsemble, sdeCommonOverlaps } from './ensemble.js';

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

test('the SDE refuses a network its noise is not derived for, with a one-line error naming the key', () => {
  for (const [set, key] of [[{ activation: 'relu' }, /^activation/], [{ trainSecondLayer: true }, /^activation/], [{ readout: 'sum' }, /^activation/]] as const) {
    const problem = makeProblem(parseConfig({ ...base, ...set }));
    assert.throws(() => simulateSdeEnsemble(problem), (e: Error & { field?: string }) => key.test(e.field ?? '') && !e.message.includes('\n'));
  }
});
