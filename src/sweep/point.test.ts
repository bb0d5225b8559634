import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computePoint, computePointWithNpz } from './point.js';
import { parseConfig } from '../model/config.js';
import { parseNpz } from '../model/npy.js';
import { makeProblem, initialCondition } from '../model/problem.js';
import { solve } from '../solve.js';

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

test('a stored point that keeps no overlap matrices is small: p = 64, 200 save points, saveOverlaps "none" in under 1/50 of its 6.6 MB of Q, read back as NaN between the first and last Q, the loss bit for bit', () => {
  const config = parseConfig({ p: 64, alphaMax: 20, savePoints: 200, saveOverlaps: 'none' });
  const { npz, ...result } = computePointWithNpz(config, 'ode');
  const rawQ = 200 * 64 * 64 * 8;
  assert.ok(npz.length < rawQ / 50, `${npz.length} bytes`);
  const d = parseNpz(npz);
  const Q = d.get('Q')!, q = Q.data as Float64Array;
  assert.deepEqual(Q.shape, [1, 200, 64, 64]);
  const at = (i: number) => q.subarray(i * 4096, (i + 1) * 4096);
  assert.ok(at(0).every(Number.isFinite) && at(199).every(Number.isFinite) && at(100).every(Number.isNaN));
  const t = solve(makeProblem(config), initialCondition(config), { method: 'ode' });
  assert.deepEqual(Array.from(d.get('loss')!.data as Float64Array), Array.from(t.loss));
  assert.equal(result.finalLoss, t.loss[199]);
});
