import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../model/config.js';
import { makeProblem, initialCondition } from '../model/problem.js';
import { ConfigError } from '../model/errors.js';
import { solveOde } from './solve.js';
import { quadraticPopulationLoss } from './quadratic.js';
import { trajectoryJson, trajectoryCsv } from '../model/output.js';

test('saveOverlaps k keeps Q and M at every k-th save point and the last, the same bits as "all" there, and the loss at every point unchanged', () => {
  for (const readout of ['mean', 'sum'] as const) {
    const base = { p: 5, pStar: 2, eta: readout === 'mean' ? 0.2 : 0.01, alphaMax: 20, savePoints: 23, readout };
    const all = solveOde(makeProblem(parseConfig(base)), initialCondition(parseConfig(base)).overlaps);
    const c = parseConfig({ ...base, saveOverlaps: 4 });
    const some = solveOde(makeProblem(c), initialCondition(c).overlaps);
    assert.deepEqual(some.loss, all.loss);
    assert.deepEqual(some.lossFloor, all.lossFloor);
    const n = all.alpha.length;
    for (let i = 0; i < n; i++) {
      const kept = i % 4 === 0 || i === n - 1;
      assert.equal(some.Q[i].length, kept ? 25 : 0, `${readout} Q[${i}]`);
      assert.equal(some.M[i].length, kept ? 10 : 0, `${readout} M[${i}]`);
      if (kept) { assert.deepEqual(some.Q[i], all.Q[i]); assert.deepEqual(some.M[i], all.M[i]); }
    }
    const none = parseConfig({ ...base, saveOverlaps: 'none' });
    const t = solveOde(makeProblem(none), initialCondition(none).overlaps);
    assert.deepEqual(t.Q.map((q) => q.length > 0), Array.from({ length: n }, (_, i) => i === 0 || i === n - 1));
    // Outputs: [] in JSON, empty cells in the CSV, at the points without overlaps.
    assert.deepEqual(trajectoryJson(t).Q[1], []);
    const row = trajectoryCsv([{ trajectory: t, run: 0, seed: '' }], none).split('\n')[2].split(',');
    assert.equal(row.length, 7 + 15 + 10);
    assert.ok(row.slice(7).every((x) => x === ''), row.join(','));
  }
});

test('saveOverlaps is validated with a one-line error naming it', () => {
  for (const bad of [0, 2.5, 'some', -1, true]) {
    assert.throws(() => parseConfig({ saveOverlaps: bad }), (e: unknown) => e instanceof ConfigError && e.field === 'saveOverlaps'
      && /must be "all", "none" or an integer k ≥ 1/.test(e.message) && !e.message.includes('\n'), `saveOverlaps: ${JSON.stringify(bad)}`);
  }
});

test('a run that stops early keeps its last saved point\'s overlaps whatever saveOverlaps says', () => {
  const c = parseConfig({ p: 3, pStar: 2, eta: 2, alphaMax: 200, savePoints: 50, saveOverlaps: 'none' });
  const t = solveOde(makeProblem(c), initialCondition(c).overlaps);
  assert.equal(t.status, 'diverged');
  assert.ok(t.alpha.length < 50 && t.alpha.length > 2);
  assert.equal(t.Q[t.Q.length - 1].length, 9);
  assert.equal(t.Q[t.Q.length - 2].length, 0);
});

test('under a piecewise η (integrated piece by piece) saveOverlaps keeps the loss of every point and the same Q where kept: save indices are those of the whole grid', () => {
  const base = { alphaMax: 20, savePoints: 40, eta: { schedule: 'piecewise' as const, values: [0.5, 0.1], until: [5] } };
  const run = (extra: object) => { const c = parseConfig({ ...base, ...extra }); return solveOde(makeProblem(c), initialCondition(c).overlaps); };
  const all = run({});
  // Each saved loss is the loss of the overlaps saved at that point (an index of one piece taken
  // for one of the grid would pair a loss with another point's state).
  all.Q.forEach((Q, i) => {
    const l = quadraticPopulationLoss({ p: all.p, pStar: all.pStar, Q, M: all.M[i], P: all.P }, 0);
    assert.ok(Math.abs(l - all.loss[i]) <= 1e-10 * l, `point ${i}: loss ${all.loss[i]}, from its overlaps ${l}`);
  });
  for (const k of ['none', 3] as const) {
    const t = run({ saveOverlaps: k });
    assert.deepEqual(Array.from(t.loss), Array.from(all.loss), `saveOverlaps ${k}: the loss at every point`);
    t.Q.forEach((q, i) => { if (q.length) assert.deepEqual(Array.from(q), Array.from(all.Q[i]), `saveOverlaps ${k}, point ${i}`); });
    assert.ok(t.Q.filter((q) => q.length === 0).length > 10, `saveOverlaps ${k} drops overlaps`);
  }
});
