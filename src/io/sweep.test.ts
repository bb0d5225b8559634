import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandSweep, shardPoints } from '../sweep/grid.js';
import { computePoint } from '../sweep/point.js';
import { ResultStore, type StoredRow } from './store.js';
import { runSweep } from './sweep.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'onepass-sweep-'));
// Small points: ODE in milliseconds, SGD at N = 200 over α ≤ 4 in a few milliseconds.
const plan = expandSweep({ solver: 'both', p: [2, 4], eta: [0.25, 0.5], init: { studentVariance: [1e-2, 1e-3] }, N: 200, alphaMax: 4, savePoints: 30 });
/** The rows without what depends on when and how fast they were computed. */
const results = (rows: StoredRow[]) => rows.map(({ seconds: _s, computedAt: _c, ...r }) => r);

test('a point computes final loss, escape α, plateau loss and status; SGD adds its deviation from the ODE', () => {
  const cfg = expandSweep({ N: 300, alphaMax: 25, savePoints: 80 }).points[0].config;
  const ode = computePoint(cfg, 'ode'), sgd = computePoint(cfg, 'sgd');
  assert.equal(ode.status, 'completed');
  assert.equal(ode.maxDeviation, null);
  assert.ok(ode.escapeAlpha !== null && ode.escapeAlpha > 5 && ode.escapeAlpha < 25, `escape α ${ode.escapeAlpha}`);
  assert.ok(sgd.maxDeviation !== null && sgd.maxDeviation > 0 && sgd.maxDeviation < 1);
  assert.ok(ode.finalLoss! < 0.5 * ode.plateauLoss!);
});

test('a repeated sweep recomputes nothing, and 2 shards + collect give the same rows as 1 unsharded run', async () => {
  const dir = tmp();
  const whole = ResultStore.open(join(dir, 'whole.db'));
  const first = await runSweep(plan.points, whole, { workers: 2 });
  assert.deepEqual([first.total, first.cached, first.computed, first.errors.length], [16, 0, 16, 0]);
  const again = await runSweep(plan.points, whole, { workers: 2 });
  assert.deepEqual([again.cached, again.computed], [16, 0]);

  const shardPaths = [0, 1].map((i) => join(dir, `shard-${i}.db`));
  for (const [i, path] of shardPaths.entries()) {
    const s = ResultStore.open(path);
    const r = await runSweep(shardPoints(plan.points, { index: i, count: 2 }), s, { workers: 1 });
    assert.equal(r.computed, 8);
    s.close();
  }
  const merged = ResultStore.open(join(dir, 'merged.db'));
  assert.deepEqual(shardPaths.map((p) => merged.merge(p)), [8, 8]);
  assert.equal(merged.merge(shardPaths[0]), 0, 'merging twice adds nothing');
  assert.deepEqual(results(merged.rows()), results(whole.rows()));
  merged.close(); whole.close();
});

test('a 2-worker sweep gives results identical to a 1-worker sweep', async () => {
  const dir = tmp();
  const stores = [1, 2].map((w) => ({ w, store: ResultStore.open(join(dir, `w${w}.db`)) }));
  for (const { w, store } of stores) assert.equal((await runSweep(plan.points, store, { workers: w })).computed, 16);
  assert.deepEqual(results(stores[1].store.rows()), results(stores[0].store.rows()));
  for (const { store } of stores) store.close();
});

test('the store keys by config content: the same config from a differently written sweep is found, a changed one is not', async () => {
  const store = ResultStore.open(join(tmp(), 'r.db'));
  await runSweep(expandSweep({ N: 100, alphaMax: 2, p: [2, 3] }).points, store, { workers: 1 });
  // Same resolved configs: keys reordered, defaults written out.
  const same = await runSweep(expandSweep({ p: [3, 2], alphaMax: 2, N: 100, eta: 0.5 }).points, store, { workers: 1 });
  assert.deepEqual([same.cached, same.computed], [2, 0]);
  const repeated = await runSweep(expandSweep({ N: 100, alphaMax: 2, p: [4, 4] }).points, store, { workers: 2 });
  assert.deepEqual([repeated.cached, repeated.computed], [1, 1], 'a config listed twice is computed once');
  const other = await runSweep(expandSweep({ N: 100, alphaMax: 2, p: [2, 3], eta: 0.4 }).points, store, { workers: 1 });
  assert.deepEqual([other.cached, other.computed], [0, 2]);
  store.close();
});

test('opening something that is not a onepass store fails with one line naming the file', () => {
  assert.throws(() => ResultStore.openReadonly(join(tmp(), 'missing.db')), /^OnepassError: store .*missing\.db: cannot open it as a onepass results database/);
});

test('a point that fails with a user error is reported with its message as it is, not as a bug, across the worker thread', async () => {
  // σ² = 3 for an erf student with a square teacher: the mixed quadrature refuses it (a ConfigError
  // thrown inside the worker); σ² = 10⁻³ computes. p = p* = 1 and a short run: mixed pairs go to
  // 24⁴-node quadrature, which at the default p = 4 takes minutes.
  const mixed = expandSweep({ solver: 'ode', activation: 'erf', teacherActivation: 'square', p: 1, pStar: 1, init: { studentVariance: [1e-3, 3] }, alphaMax: 0.5, savePoints: 5 });
  const summary = await runSweep(mixed.points, ResultStore.open(join(tmp(), 'mixed.db')), { workers: 2 });
  assert.equal(summary.computed, 1);
  assert.equal(summary.errors.length, 1);
  assert.equal(summary.errors[0].index, 1);
  assert.match(summary.errors[0].message, /^teacherActivation: the mixed erf expectations are computed by quadrature/);
});
