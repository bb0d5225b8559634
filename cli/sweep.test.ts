import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, mkdirSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { ResultStore, type StoredRow } from '../src/io/store.js';
import { parseNpz } from '../src/model/npy.js';

const here = dirname(fileURLToPath(import.meta.url));
const bin = join(here, 'main.js');
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
const tmp = () => mkdtempSync(join(tmpdir(), 'onepass-sweep-cli-'));
// 100 SGD points of ~40 ms each on 2 worker threads (about 2 s in all): long enough to be killed
// half-way, with both workers committing rows when the kill lands.
const points = 100;
const seeds = Array.from({ length: points }, (_, i) => i + 1);
const sweep = ['--set', 'solver=sgd', '--set', `seed=[${seeds}]`, '--set', 'N=500', '--set', 'alphaMax=20', '--set', 'savePoints=25', '--workers', '2', '--json'];
const results = (rows: StoredRow[]) => rows.map(({ seconds: _s, computedAt: _c, ...r }) => r);
const storeRows = (dir: string) => { const s = ResultStore.openReadonly(join(dir, 'results.db')); try { return s.rows(); } finally { s.close(); } };
const countRows = (dir: string) => { try { const s = ResultStore.openReadonly(join(dir, 'results.db')); try { return s.count(); } finally { s.close(); } } catch { return 0; } };

test('a sweep killed half-way (SIGKILL) and restarted computes only the rest and ends identical to an uninterrupted sweep', async () => {
  const killed = tmp(), reference = tmp();
  const child = spawn(process.execPath, [bin, 'sweep', ...sweep, '--out', killed], { stdio: 'ignore' });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  let before = 0;
  for (const t0 = Date.now(); Date.now() - t0 < 60_000; await sleep(5)) {
    before = countRows(killed);
    if (before >= points / 2) break;
  }
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL', 'the sweep was killed, it did not finish on its own');
  before = countRows(killed); // rows committed before the kill landed
  assert.ok(before >= points / 2 && before < points, `killed with ${before} of ${points} points stored`);

  const restart = run('sweep', ...sweep, '--out', killed);
  assert.equal(restart.status, 0, restart.stderr);
  const summary = JSON.parse(restart.stdout);
  assert.deepEqual([summary.total, summary.cached, summary.computed], [points, before, points - before]);

  const full = run('sweep', ...sweep, '--out', reference);
  assert.equal(full.status, 0, full.stderr);
  assert.equal(JSON.parse(full.stdout).computed, points);
  assert.deepEqual(results(storeRows(killed)), results(storeRows(reference)));
  // The CSV next to the db holds the same results (timing columns aside).
  const strip = (dir: string) => readFileSync(join(dir, 'results.csv'), 'utf8').split('\n').map((l) => l.split(',').slice(0, -3).join(','));
  assert.deepEqual(strip(killed), strip(reference));
});

test('sweep --shard, --collect, --export npz|csv|json and --slurm from the command line', () => {
  const dir = tmp();
  const small = ['--set', 'p=[2,3]', '--set', 'eta=[0.2,0.4]', '--set', 'N=100', '--set', 'alphaMax=3', '--json'];
  for (const i of [0, 1]) {
    const r = run('sweep', ...small, '--shard', `${i}/2`, '--out', join(dir, `shard-${i}`));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).total, 2);
  }
  const c = run('sweep', '--collect', join(dir, 'shard-0'), join(dir, 'shard-1'), '--out', join(dir, 'all'), '--json', '--plot', 'eta,p,final_loss');
  assert.equal(c.status, 0, c.stderr);
  assert.equal(JSON.parse(c.stdout).rows, 4);
  assert.ok(existsSync(join(dir, 'all', 'phase.png')));
  const csvBefore = readFileSync(join(dir, 'all', 'results.csv'), 'utf8');
  for (const format of ['npz', 'csv', 'json']) {
    const e = run('sweep', '--export', format, '--out', join(dir, 'all'), '--json');
    assert.equal(e.status, 0, e.stderr);
    assert.deepEqual(JSON.parse(e.stdout), { rows: 4, withoutTrajectory: 0, files: [join(dir, 'all', 'results.csv'), join(dir, 'all', `trajectories.${format}`)] });
  }
  assert.equal(readFileSync(join(dir, 'all', 'results.csv'), 'utf8'), csvBefore, 'the export computes nothing: the same rows');
  // Every point's trajectory, keyed by its row in results.csv: 4 ODE points, one run each.
  const npz = parseNpz(readFileSync(join(dir, 'all', 'trajectories.npz')));
  for (const row of [0, 1, 2, 3]) assert.equal(npz.get(`${row}/loss`)!.shape[0], 1);
  assert.equal(JSON.parse(readFileSync(join(dir, 'all', 'trajectories.json'), 'utf8')).length, 4);
  assert.match(readFileSync(join(dir, 'all', 'trajectories.csv'), 'utf8'), /^alpha,t,row,solver,run,loss,loss_floor,q_0_0,/);
  assert.match(run('sweep', '--export', 'xlsx', '--out', join(dir, 'all')).stderr, /^error: --export: must be one of npz, csv, json \(got "xlsx"\)\n$/);
  const whole = run('sweep', ...small, '--out', join(dir, 'whole'));
  assert.equal(whole.status, 0, whole.stderr);
  assert.deepEqual(results(storeRows(join(dir, 'all'))), results(storeRows(join(dir, 'whole'))));

  const s = run('sweep', '--config', join(here, '..', '..', 'examples', 'sweep.json'), '--slurm', '3', '--out', join(dir, 'slurm'), '--json');
  assert.equal(s.status, 0, s.stderr);
  assert.equal(JSON.parse(s.stdout).points, 48);
  const script = readFileSync(join(dir, 'slurm', 'sweep.slurm'), 'utf8');
  assert.match(script, /#SBATCH --array=0-2/);
  // The tasks call this CLI by absolute path in the folder it was written from, never `npx onepass`
  // (which outside the project would fetch whatever the registry has under that name).
  assert.match(script, /^node '\/[^']*\/dist\/cli\/main\.js' sweep --config /m);
  assert.match(script, /^#SBATCH --chdir=\//m);
  assert.doesNotMatch(script, /npx/);

  const bad = run('sweep', '--export', 'npz', '--out', join(dir, 'nothing-here'));
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^error: store .*results\.db: cannot open it as a onepass results database/);
  const badShard = run('sweep', '--shard', '2/2', '--out', join(dir, 'bad-shard'));
  assert.equal(badShard.status, 2);
  assert.equal(badShard.stderr, 'error: --shard: expected i/n with integers 0 ≤ i < n (got "2/2")\n');
  assert.equal(existsSync(join(dir, 'bad-shard')), false, 'a rejected --shard creates no sweep folder');
});

test('a foreign results.db (even one claiming schema 1), a damaged row, or a sweep no machine can finish is one line with exit 2', async () => {
  const { default: Database } = await import('better-sqlite3');
  const dir = tmp();
  const db = new Database(join(dir, 'results.db'));
  db.exec("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT); INSERT INTO meta VALUES ('schema_version', '1'); CREATE TABLE results (id INTEGER)");
  db.close();
  const before = readFileSync(join(dir, 'results.db'));
  const cases: [string[], RegExp][] = [
    [['sweep', '--out', dir, '--set', 'N=200', '--set', 'alphaMax=2'], /^error: store .*results\.db: not a onepass results database \(table results has columns id\)/],
    [['sweep', '--out', tmp(), '--set', 'alphaMax=[2,1e308]'], /^error: alphaMax: .*would take about .* years here; lower alphaMax/],
  ];
  const good = tmp();
  assert.equal(run('sweep', '--out', good, '--set', 'N=200', '--set', 'alphaMax=2', '--set', 'savePoints=10').status, 0);
  const g = new Database(join(good, 'results.db'));
  g.exec("UPDATE results SET config = '{'");
  g.close();
  cases.push([['sweep', '--out', good, '--export', 'csv'], /^error: store .*: the row [0-9a-f]{12}…\/ode holds invalid JSON in its config/]);
  for (const [args, pattern] of cases) {
    const r = run(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: exit ${r.status}, ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
  assert.deepEqual(readFileSync(join(dir, 'results.db')), before, 'the foreign database is untouched');
});

test('a sweep\'s exports are one set: a phase diagram that cannot be written leaves results.csv as it was, and a rerun without --plot removes the old diagram', () => {
  const dir = tmp();
  const base = ['--set', 'N=100', '--set', 'alphaMax=3', '--set', 'savePoints=10', '--out', dir];
  assert.equal(run('sweep', '--set', 'p=[2,3]', ...base).status, 0);
  const csv = readFileSync(join(dir, 'results.csv'), 'utf8');
  assert.equal(csv.trim().split('\n').length, 1 + 2, 'header and 2 rows');
  // Before, results.csv and phase.svg of 3 rows were written, then phase.png failed: a mixed set.
  mkdirSync(join(dir, 'phase.png'));
  const blocked = run('sweep', '--set', 'p=[2,3,4]', '--plot', 'p,eta,final_loss', ...base);
  assert.equal(blocked.status, 2, blocked.stderr);
  assert.match(blocked.stderr, /^error: cannot write .*phase\.png: EISDIR; the exports in .* are unchanged\n$/);
  assert.equal(readFileSync(join(dir, 'results.csv'), 'utf8'), csv);
  assert.ok(!existsSync(join(dir, 'phase.svg')));
  rmSync(join(dir, 'phase.png'), { recursive: true });
  const plotted = run('sweep', '--set', 'p=[2,3,4]', '--plot', 'p,eta,final_loss', ...base);
  assert.equal(plotted.status, 0, plotted.stderr);
  assert.ok(existsSync(join(dir, 'phase.svg')) && existsSync(join(dir, 'phase.png')));
  const rerun = run('sweep', '--set', 'p=[2,3,4,5]', '--json', ...base);
  assert.equal(rerun.status, 0, rerun.stderr);
  assert.deepEqual(JSON.parse(rerun.stdout).removed, [join(dir, 'phase.svg'), join(dir, 'phase.png'), join(dir, 'phase.pdf')]);
  assert.ok(!existsSync(join(dir, 'phase.svg')) && !existsSync(join(dir, 'phase.png')) && !existsSync(join(dir, 'phase.pdf')), 'no diagram of 3 rows beside a results.csv of 4');
  assert.equal(readFileSync(join(dir, 'results.csv'), 'utf8').trim().split('\n').length, 1 + 4);
  assert.deepEqual(readdirSync(dir).filter((n) => n.startsWith('.')), [], 'no temporary left');
});

test('sweep without --config or --set refuses to add the default point to another sweep\'s store, and --plot-only redraws computing nothing', () => {
  const dir = tmp();
  const base = ['--set', 'N=100', '--set', 'alphaMax=3', '--set', 'savePoints=10', '--out', dir];
  assert.equal(run('sweep', '--set', 'p=[2,3]', '--set', 'eta=[0.2,0.4]', ...base).status, 0);
  const before = storeRows(dir);
  const bare = run('sweep', '--out', dir);
  assert.equal(bare.status, 2);
  assert.match(bare.stderr, /^error: sweep: .*results\.db holds 4 point\(s\) of another sweep and no --config or --set was given; give the sweep's --config .*--plot-only X,Y to redraw/);
  assert.equal(bare.stderr.trim().split('\n').length, 1);
  const plot = run('sweep', '--plot-only', '--plot', 'eta,p,final_loss', '--out', dir, '--json');
  assert.equal(plot.status, 0, plot.stderr);
  assert.deepEqual(JSON.parse(plot.stdout).files, [join(dir, 'results.csv'), join(dir, 'phase.svg'), join(dir, 'phase.png'), join(dir, 'phase.pdf')]);
  assert.deepEqual(storeRows(dir), before, 'nothing computed, nothing stored');
  assert.match(run('sweep', '--plot-only', '--out', dir).stderr, /^error: --plot-only: needs --plot/);
});

test('a 2-point SDE sweep (ensemble "both") stores, point by point, exactly what onepass sde --json gives for the point\'s resolved config; a bad solver name is one line, exit 2', () => {
  const dir = tmp();
  const r = run('sweep', '--set', 'solver=sde', '--set', 'eta=[0.3,0.6]', '--set', 'ensemble=both', '--set', 'N=300', '--set', 'runs=3', '--set', 'alphaMax=4', '--set', 'savePoints=10', '--workers', '2', '--json', '--out', dir);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).computed, 2);
  const store = ResultStore.openReadonly(join(dir, 'results.db'));
  try {
    const rows = store.rows().sort((x, y) => (x.config.eta as number) - (y.config.eta as number));
    assert.deepEqual(rows.map((x) => [x.solver, x.config.eta, x.config.ensemble]), [['sde', 0.3, 'both'], ['sde', 0.6, 'both']]);
    const finals: number[] = [];
    for (const row of rows) {
      const file = join(dir, `point-${row.configHash}.json`);
      writeFileSync(file, JSON.stringify(row.config));
      const one = run('sde', '--json', '--config', file, '--workers', '1');
      assert.equal(one.status, 0, one.stderr);
      const o = JSON.parse(one.stdout);
      const npz = parseNpz(store.trajectory(row.configHash, 'sde')!);
      const T = o.alpha.length, loss = npz.get('loss')!;
      assert.deepEqual(loss.shape, [3, T]);
      for (let i = 0; i < 3; i++) assert.deepEqual(Array.from(loss.data as Float64Array).slice(i * T, (i + 1) * T), o.runs[i].loss, `run ${i}: the same bits`);
      assert.equal(row.finalLoss, o.loss[T - 1], 'the stored final loss is the mean of the runs');
      assert.equal(row.status, 'completed');
      assert.ok(row.escapeAlpha === null || Number.isFinite(row.escapeAlpha));
      finals.push(row.finalLoss!);
    }
    assert.notEqual(finals[0], finals[1]);
  } finally { store.close(); }
  const bad = run('sweep', '--set', 'solver=sdee', '--out', join(dir, 'bad'));
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^error: solver: must be one of: ode, sgd, sde, both \(got "sdee"\)\n$/);
});
