/**
 * The job array written by `onepass sweep --slurm` submitted for real, to a one-node Slurm
 * started for the test (scripts/slurm-local.sh) with a job template and its collecting job
 * (submit.sh, --dependency=afterok): the src/sweep/slurm.test.ts unit tests only
 * look at the script's text, this checks that sbatch accepts it, that each array task runs the
 * CLI (called by absolute path) and writes its shard, and that the collected shards are an
 * unsharded run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ResultStore, type StoredRow } from '../src/io/store.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const bin = join(here, 'main.js');
const localSlurm = join(root, 'scripts', 'slurm-local.sh');
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
const results = (rows: StoredRow[]) => rows.map(({ seconds: _s, computedAt: _c, ...r }) => r);
const storeRows = (dir: string) => { const s = ResultStore.openReadonly(join(dir, 'results.db')); try { return s.rows(); } finally { s.close(); } };

/** Why this machine cannot run the test, if it cannot. */
function unavailable(): string | undefined {
  const lacking = ['sbatch', 'slurmctld', 'slurmd', 'munged'].filter((b) => spawnSync('sh', ['-c', `command -v ${b}`]).status !== 0);
  if (lacking.length > 0) return `Slurm is not installed (no ${lacking.join(', ')}; apt-get install slurm-wlm munge)`;
  if (process.getuid?.() !== 0) return 'a local Slurm needs root (slurmd starts each job as its owner)';
  return undefined;
}

test('the sweep --slurm job array runs on a real one-node Slurm, and its collected shards equal an unsharded run', { timeout: 90_000 }, (t) => {
  const why = unavailable();
  if (why) {
    // CI installs Slurm (.ci/run), so there a missing Slurm is a failure, not a skip.
    if (process.env.CI) assert.fail(`${why}: CI is supposed to have it`);
    t.skip(`${why}: the real Slurm test is skipped (with CI set it fails)`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'onepass-slurm-'));
  const cluster = join(dir, 'cluster');
  // Only this test's cluster: no SLURM_*/SBATCH_* from an enclosing job (on a real cluster) may
  // leak into sbatch, and SLURM_CONF points the clients at the private controller.
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(SLURM|SBATCH|SALLOC)_/.test(k)));
  env.SLURM_CONF = join(cluster, 'slurm.conf');
  const local = (cmd: 'start' | 'stop') => spawnSync('bash', [localSlurm, cmd, cluster], { encoding: 'utf8', env, timeout: 40_000 });
  // Stops even when start failed half-way: whatever did start is in the cluster folder.
  t.after(() => { const s = local('stop'); if (s.status !== 0) console.error(s.stderr); });
  const up = local('start');
  assert.equal(up.status, 0, `the local Slurm did not start:\n${up.stdout}${up.stderr}`);

  const grid = join(dir, 'grid.json');
  writeFileSync(grid, JSON.stringify({ solver: 'ode', p: [2, 3], eta: [0.3, 0.5], alphaMax: 5, savePoints: 20 }));
  // The job template a user writes for their cluster: here 1 CPU per task (the default 4 is more
  // than a small machine has: the job would pend forever), and a setup line whose effect the
  // task logs show (as `module load nodejs/20` would be on a cluster).
  const template = join(dir, 'template.json');
  writeFileSync(template, JSON.stringify({ cpusPerTask: 1, setup: ['export ONEPASS_SLURM_SETUP=ran', 'echo "setup $ONEPASS_SLURM_SETUP"'] }));
  const sweep = join(dir, 'sweep');
  const gen = run('sweep', '--config', grid, '--slurm', '2', '--slurm-template', template, '--slurm-collect', '--out', sweep, '--json');
  assert.equal(gen.status, 0, gen.stderr);
  assert.equal(JSON.parse(gen.stdout).points, 4);

  // submit.sh queues the array and the collecting job (afterok on the array), from the project
  // folder (the scripts also set --chdir to where they were written).
  const sub = spawnSync('bash', [join(sweep, 'submit.sh')], { cwd: root, env, encoding: 'utf8', timeout: 20_000 });
  assert.equal(sub.status, 0, `submit.sh: ${sub.stdout}${sub.stderr}`);
  const [, job, collectJob] = /^array job (\d+), collecting job (\d+)/.exec(sub.stdout) ?? [];
  assert.ok(job && collectJob, sub.stdout);
  // Waits for a job by queueing an empty one after it (`sbatch --wait` returns when that ends);
  // the timeout turns a job that never runs (a collecting job whose array failed) into an error.
  const taskLogs = () => readdirSync(sweep).filter((f) => f.endsWith('.out')).map((f) => `--- ${f}\n${readFileSync(join(sweep, f), 'utf8')}`).join('');
  const waitFor = (id: string) => {
    const w = spawnSync('sbatch', ['--wait', `--dependency=afterany:${id}`, '--cpus-per-task=1', '--output=/dev/null', '--wrap=true'], { cwd: root, env, encoding: 'utf8', timeout: 40_000 });
    assert.equal(w.status, 0, `waiting for job ${id}: ${w.stdout}${w.stderr}${w.error?.message ?? ''}${taskLogs()}`);
  };
  waitFor(job);

  // No accounting here (sacct has nothing): each task's log and store show it ran its shard.
  for (const i of [0, 1]) {
    const log = readFileSync(join(sweep, `slurm-${job}_${i}.out`), 'utf8');
    assert.match(log, /^setup ran$/m, log);
    assert.match(log, new RegExp(`^onepass sweep: 2 points \\(shard ${i}/2 of 4\\) over p, eta; solver ode$`, 'm'), log);
    // --workers came from $SLURM_CPUS_PER_TASK.
    assert.match(log, /^0 cached, 2 computed \(0 diverged or failed\), 0 errors; 1 worker\(s\)/m, log);
    assert.equal(storeRows(join(sweep, `shard-${i}`)).length, 2);
  }

  // The collecting job ran after the array and merged both shards into the sweep folder.
  waitFor(collectJob);
  const collectLog = readFileSync(join(sweep, `slurm-collect-${collectJob}.out`), 'utf8');
  assert.match(collectLog, /^collected 2 new from .*shard-0, 2 new from .*shard-1; 4 rows in /m, collectLog);
  const all = sweep;
  const whole = join(dir, 'whole');
  const w = run('sweep', '--config', grid, '--workers', '1', '--out', whole, '--json');
  assert.equal(w.status, 0, w.stderr);
  const collected = results(storeRows(all));
  assert.equal(collected.length, 4);
  assert.ok(collected.every((r) => r.status === 'completed'), JSON.stringify(collected.map((r) => r.status)));
  assert.deepEqual(collected, results(storeRows(whole)));
});
