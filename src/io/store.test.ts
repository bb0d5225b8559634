import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expandSweep, type SweepPoint } from '../sweep/grid.js';
import { OnepassError } from '../model/errors.js';
import { parseConfig, type Config } from '../model/config.js';
import { ResultStore, STORE_APPLICATION_ID, STORE_SCHEMA_VERSION, KEY_BASELINES, pointKey, type StoredRow } from './store.js';
import { runSweep } from './sweep.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'onepass-store-'));
const notOurs = (path: string) => (e: unknown) => e instanceof OnepassError && e.message.startsWith(`store ${path}: not a onepass results database (`) && !e.message.includes('\n');

test('a new store is marked as onepass\'s (application_id, user_version)', () => {
  const path = join(tmp(), 'results.db');
  ResultStore.open(path).close();
  const db = new Database(path, { readonly: true });
  assert.equal(db.pragma('application_id', { simple: true }), STORE_APPLICATION_ID);
  assert.equal(db.pragma('user_version', { simple: true }), STORE_SCHEMA_VERSION);
  db.close();
});

test('a database that is not a onepass store is refused and left byte for byte as it was: no tables added, no switch to WAL', () => {
  const dir = tmp();
  const path = join(dir, 'results.db');
  const db = new Database(path);
  db.exec("CREATE TABLE people (name TEXT); INSERT INTO people VALUES ('ada')");
  db.close();
  const before = readFileSync(path);
  assert.throws(() => ResultStore.open(path), notOurs(path));
  assert.throws(() => ResultStore.openReadonly(path), notOurs(path));
  assert.deepEqual(readFileSync(path), before);
  assert.deepEqual(readdirSync(dir), ['results.db'], 'no -wal or -shm file');
  const again = new Database(path, { readonly: true });
  assert.equal(again.pragma('journal_mode', { simple: true }), 'delete');
  again.close();
});

test('a foreign store claiming schema 1 (a meta table saying so, other columns) is a one-line refusal, not an internal error', () => {
  const path = join(tmp(), 'results.db');
  const db = new Database(path);
  db.exec("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT); INSERT INTO meta VALUES ('schema_version', '1'); CREATE TABLE results (id INTEGER, payload BLOB)");
  db.close();
  assert.throws(() => ResultStore.open(path), notOurs(path));
  const other = join(tmp(), 'marked.db');
  const d2 = new Database(other);
  d2.pragma('application_id = 42');
  d2.exec('CREATE TABLE t (x)');
  d2.close();
  assert.throws(() => ResultStore.open(other), (e: unknown) => notOurs(other)(e) && /application_id 42/.test((e as Error).message));
});

test('a stored row with invalid JSON is a one-line error naming the row', () => {
  const path = join(tmp(), 'results.db');
  const s = ResultStore.open(path);
  const config = expandSweep({ N: 200, alphaMax: 2, savePoints: 10 }).points[0].config;
  s.put(config, 'ode', { status: 'completed', message: 'ok', finalLoss: 0.1, escapeAlpha: null, plateauLoss: null, maxDeviation: null, seconds: 0 }, new Uint8Array(0));
  s.close();
  const db = new Database(path);
  db.exec("UPDATE results SET config = '{\"p\": 4,'");
  db.close();
  const r = ResultStore.openReadonly(path);
  assert.throws(() => r.rows(), (e: unknown) => e instanceof OnepassError && /^store .*: the row [0-9a-f]{12}…\/ode holds invalid JSON in its config/.test(e.message));
  r.close();
});

test('rows stored by another onepass version are not reused: the sweep recomputes and replaces them, and says so', async () => {
  const path = join(tmp(), 'results.db');
  const store = ResultStore.open(path);
  const { points } = expandSweep({ N: 200, alphaMax: 2, savePoints: 10, p: [2, 4] });
  const first = await runSweep(points, store, { workers: 1 });
  assert.deepEqual([first.computed, first.otherVersion], [2, 0]);
  store.close();
  const db = new Database(path);
  db.prepare("UPDATE results SET onepass_version = '0.0.1', final_loss = 123 WHERE config_hash = (SELECT MIN(config_hash) FROM results)").run();
  db.close();
  const reopened = ResultStore.open(path);
  const again = await runSweep(points, reopened, { workers: 1 });
  assert.deepEqual([again.cached, again.computed, again.otherVersion], [1, 1, 1]);
  assert.ok(reopened.rows().every((r) => r.finalLoss !== 123 && r.onepassVersion !== '0.0.1'));
  reopened.close();
});

test('a schema-1 store (rows, no trajectories) is upgraded when opened for writing; its rows count as not done and are recomputed once, with their trajectories', async () => {
  const path = join(tmp(), 'results.db');
  const { points } = expandSweep({ N: 200, alphaMax: 2, savePoints: 10, p: [2, 3] });
  const s = ResultStore.open(path);
  await runSweep(points, s, { workers: 1 });
  s.close();
  // Make it what onepass wrote before trajectories were kept.
  const db = new Database(path);
  db.exec("DROP TABLE trajectories; UPDATE meta SET value = '1' WHERE key = 'schema_version'");
  db.pragma('user_version = 1');
  db.close();
  const old = ResultStore.openReadonly(path);
  assert.equal(old.count(), 2);
  assert.equal(old.trajectory(old.rows()[0].configHash, 'ode'), undefined);
  old.close();
  const upgraded = ResultStore.open(path);
  const again = await runSweep(points, upgraded, { workers: 1 });
  assert.deepEqual([again.cached, again.computed], [0, 2]);
  assert.ok(upgraded.rows().every((r) => upgraded.trajectory(r.configHash, r.solver)!.length > 100));
  upgraded.close();
  const check = new Database(path, { readonly: true });
  assert.equal(check.pragma('user_version', { simple: true }), STORE_SCHEMA_VERSION);
  check.close();
});

test('--collect brings each shard\'s trajectories along with its rows', async () => {
  const { points } = expandSweep({ N: 200, alphaMax: 2, savePoints: 10, p: [2, 3] });
  const [a, b, all] = [join(tmp(), 'a.db'), join(tmp(), 'b.db'), join(tmp(), 'all.db')];
  for (const [path, pts] of [[a, points.slice(0, 1)], [b, points.slice(1)]] as const) { const s = ResultStore.open(path); await runSweep(pts, s, { workers: 1 }); s.close(); }
  const s = ResultStore.open(all);
  assert.equal(s.merge(a) + s.merge(b), 2);
  assert.equal(s.doneKeys().size, 2, 'both rows count as done: their trajectories came along');
  s.close();
});

// Stores written by earlier onepass builds (0.1.0), kept as they wrote them: `onepass sweep --workers 1
// --config src/io/fixtures/sweep-ode-sgd.json` (and sweep-sde.json) run by a build of commit 2ac809b
// (before the sdeNoise key, sdeStep default 0.05) and of b3cee94 (sdeNoise, sdeStep 0.1; also the SDE sweep).
const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'src', 'io', 'fixtures');
const fixturePlan = (name: string) => expandSweep(JSON.parse(readFileSync(join(fixtures, name), 'utf8')));
const copyFixture = (name: string) => { const path = join(tmp(), 'results.db'); copyFileSync(join(fixtures, name), path); return path; };
/** A row without its key (which schema 3 changes for ODE and SGD points) and its time of computation, in a stable order. */
const byPoint = (rows: StoredRow[]) => rows.map(({ configHash: _h, ...r }) => r).sort((a, b) => (JSON.stringify([a.solver, a.config]) < JSON.stringify([b.solver, b.config]) ? -1 : 1));
const readRows = (path: string) => { const s = ResultStore.openReadonly(path); try { return s.rows(); } finally { s.close(); } };

test('a store of the previous release (b3cee94: ODE, SGD and SDE points) is reused: a sweep over it computes 0 points and its rows stay the same', async () => {
  const path = copyFixture('store-b3cee94.db');
  const before = readRows(path);
  const points = [...fixturePlan('sweep-ode-sgd.json').points, ...fixturePlan('sweep-sde.json').points];
  assert.equal(before.length, points.length);
  const store = ResultStore.open(path);
  const r = await runSweep(points, store, { workers: 1 });
  assert.deepEqual([r.total, r.cached, r.computed, r.otherVersion], [12, 12, 0, 0]);
  assert.deepEqual(byPoint(store.rows()), byPoint(before));
  // The SDE points' keys are those b3cee94 wrote (nothing of their config is left out); every point keeps its trajectory.
  const sdeKeys = (rows: StoredRow[]) => rows.filter((x) => x.solver === 'sde').map((x) => x.configHash).sort();
  assert.deepEqual(sdeKeys(store.rows()), sdeKeys(before));
  assert.ok(store.rows().every((x) => store.trajectory(x.configHash, x.solver)!.length > 100));
  store.close();
});

test('a store written before sdeNoise existed and before sdeStep\'s default went 0.05 → 0.1 (2ac809b) is reused for its ODE and SGD points: 0 computed, same rows, same per-point seeds', async () => {
  const path = copyFixture('store-2ac809b.db');
  const bytes = readFileSync(path);
  const { points } = fixturePlan('sweep-ode-sgd.json');
  // Read-only (export, plot, the default-sweep check) the store is left as it is and its keys are computed on reading.
  const ro = ResultStore.openReadonly(path);
  const done = ro.doneKeys();
  ro.close();
  assert.deepEqual(readFileSync(path), bytes, 'opened read-only: not re-keyed');
  assert.ok(points.every((p) => done.has(`${pointKey(p.config, p.solver)}/${p.solver}`)));
  const before = readRows(path);
  const store = ResultStore.open(path);
  const r = await runSweep(points, store, { workers: 1 });
  assert.deepEqual([r.total, r.cached, r.computed], [8, 8, 0]);
  const after = store.rows();
  store.close();
  assert.deepEqual(byPoint(after), byPoint(before));
  // Today's configs of these points are the stored ones but for the SDE keys: same seeds, same everything the ODE and SGD read.
  const sdeFree = (c: Config) => { const { sdeStep: _s, sdeNoise: _n, ...rest } = c as Config & { sdeNoise?: string }; return rest; };
  for (const p of points) assert.deepEqual(sdeFree(after.find((x) => x.configHash === pointKey(p.config, p.solver) && x.solver === p.solver)!.config), sdeFree(p.config));
  assert.equal((before[0].config as Partial<Config>).sdeStep, 0.05);
  const check = new Database(path, { readonly: true });
  assert.equal(check.pragma('user_version', { simple: true }), STORE_SCHEMA_VERSION);
  check.close();
});

test('re-keying keeps one row per point: the same points stored before and after sdeNoise (16 rows) become 8, the newer kept; a shard of the old keys merges into the same 8', async () => {
  const path = copyFixture('store-2ac809b.db');
  // What a rerun with b3cee94 made of the 2ac809b store: its 8 points again, under other keys.
  const db = new Database(path);
  db.prepare('ATTACH DATABASE ? AS b').run(join(fixtures, 'store-b3cee94.db'));
  db.exec("INSERT INTO results SELECT * FROM b.results WHERE solver <> 'sde'; INSERT INTO trajectories SELECT * FROM b.trajectories WHERE solver <> 'sde'");
  db.exec('DETACH DATABASE b');
  assert.equal((db.prepare('SELECT COUNT(*) AS n FROM results').get() as { n: number }).n, 16);
  db.close();
  const newer = byPoint(readRows(join(fixtures, 'store-b3cee94.db')).filter((x) => x.solver !== 'sde'));
  const { points } = fixturePlan('sweep-ode-sgd.json');
  const store = ResultStore.open(path);
  assert.equal(store.count(), 8);
  assert.deepEqual(byPoint(store.rows()), newer);
  assert.ok(store.rows().every((x) => store.trajectory(x.configHash, x.solver)));
  assert.equal((await runSweep(points, store, { workers: 1 })).computed, 0);
  store.close();

  const merged = ResultStore.open(join(tmp(), 'all.db'));
  const shard = join(fixtures, 'store-2ac809b.db'), shardBytes = readFileSync(shard);
  assert.equal(merged.merge(shard) + merged.merge(join(fixtures, 'store-b3cee94.db')), 12, '8 ODE/SGD points and 4 SDE points');
  assert.deepEqual(readFileSync(shard), shardBytes, 'the shard is only read');
  assert.equal((await runSweep(points, merged, { workers: 1 })).computed, 0);
  merged.close();
});

test('a point\'s key: a config key added later leaves every key as it was at its baseline and changes it at any other value; time and, for ODE and SGD, the SDE keys are not in it', () => {
  const config = expandSweep({ N: 50, alphaMax: 2 }).points[0].config;
  const withKey = (extra: Record<string, unknown>) => ({ ...config, ...extra }) as Config;
  for (const solver of ['ode', 'sgd', 'sde'] as const) {
    const key = pointKey(config, solver);
    // A key `future` added with baseline "old", and one nested in init.
    const baselines = { ...KEY_BASELINES, future: 'old', 'init.futureInit': 3 };
    assert.equal(pointKey(withKey({ future: 'old' }), solver, baselines), key);
    assert.equal(pointKey(withKey({ init: { ...config.init, futureInit: 3 } }), solver, baselines), key);
    assert.notEqual(pointKey(withKey({ future: 'new' }), solver, baselines), key);
    assert.notEqual(pointKey(withKey({ init: { ...config.init, futureInit: 4 } }), solver, baselines), key);
    assert.equal(pointKey(withKey({ time: 't' }), solver), key);
    for (const [k, v] of [['eta', 0.25], ['N', 51], ['seed', 2], ['alphaMax', 3]] as const) assert.notEqual(pointKey(withKey({ [k]: v }), solver), key, k);
    // sdeStep's default went 0.05 → 0.1: an SDE point at 0.05 is another point; ODE and SGD never read it.
    const sdeChanged = [pointKey(withKey({ sdeStep: 0.05 }), solver), pointKey(withKey({ sdeNoise: 'sampled' }), solver)];
    if (solver === 'sde') assert.ok(sdeChanged.every((k) => k !== key));
    else assert.deepEqual(sdeChanged, [key, key]);
  }
});

test('every config key with a default was known when the point keys were fixed, or has a baseline in KEY_BASELINES (else adding it would re-key every stored point)', () => {
  // The keys of a resolved config when schema 3's keys were fixed (2026-12-06). Keys without a
  // default (absent when not given) are left out of a key by themselves and need no baseline.
  const known = ['activation', 'readout', 'weightDecay', 'trainSecondLayer', 'p', 'pStar', 'eta', 'batchSize', 'noise', 'alphaMax', 'time', 'savePoints', 'saveOverlaps',
    'init.teacher', 'init.studentVariance', 'init.seed', 'N', 'seed', 'runs', 'ensemble', 'sdeStep', 'sdeNoise', 'rtol', 'atol'];
  const leaves = (o: Record<string, unknown>, prefix = ''): string[] => Object.entries(o).flatMap(([k, v]) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? leaves(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`]);
  for (const key of leaves(parseConfig({}, { weights: false }) as unknown as Record<string, unknown>)) {
    assert.ok(known.includes(key) || key in KEY_BASELINES, `config key ${key} is new since the store's point keys were fixed: give it a baseline in KEY_BASELINES (src/io/store.ts), the value that does what onepass did before it existed`);
  }
});
