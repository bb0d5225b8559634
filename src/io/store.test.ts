import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandSweep } from '../sweep/grid.js';
import { OnepassError } from '../model/errors.js';
import { ResultStore, STORE_APPLICATION_ID, STORE_SCHEMA_VERSION } from './store.js';
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
  assert.equal(check.pragma('user_version', { simple: true }), 2);
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
