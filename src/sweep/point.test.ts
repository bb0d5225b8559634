import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computePoint } from './point.js';
import { parseConfig } from '../model/config.js';

test('a sweep point that diverged has no final loss and no deviation (a phase diagram leaves its cell blank, not coloured by the last finite loss)', () => {
  // Quadratic network with the sum readout at η = 0.5: far beyond its stability limit (η ≈ 0.14), it explodes before α = 1.
  const config = parseConfig({ readout: 'sum', alphaMax: 5, savePoints: 40, N: 200 });
  const ode = computePoint(config, 'ode');
  assert.equal(ode.status, 'diverged');
  assert.equal(ode.finalLoss, null);
  const sgd = computePoint(config, 'sgd');
  assert.equal(sgd.status, 'diverged');
  assert.equal(sgd.finalLoss, null);
  assert.equal(sgd.maxDeviation, null);
  // and a completed point keeps its numbers
  const ok = computePoint(parseConfig({ alphaMax: 5, savePoints: 40, N: 200 }), 'sgd');
  assert.equal(ok.status, 'completed');
  assert.ok(ok.finalLoss !== null && ok.finalLoss > 0 && ok.maxDeviation !== null);
});
