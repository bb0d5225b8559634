import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'main.js');
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
const small = ['--set', 'alphaMax=3', '--set', 'savePoints=20', '--set', 'N=200', '--set', 'runs=3'];

test('onepass sde --json has the schema of onepass sim (same keys, alpha grid, initial overlaps), with solver "sde"', () => {
  const sde = run('sde', '--json', ...small), sim = run('sim', '--json', '--workers', '1', ...small);
  assert.equal(sde.status, 0, sde.stderr);
  assert.equal(sim.status, 0, sim.stderr);
  const a = JSON.parse(sde.stdout), b = JSON.parse(sim.stdout);
  assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort());
  assert.equal(a.solver, 'sde');
  assert.deepEqual(a.alpha, b.alpha);
  assert.equal(a.runs.length, 3);
  assert.equal(a.lossStd.length, a.alpha.length);
  assert.deepEqual(Object.keys(a.runs[0]).sort(), Object.keys(b.runs[0]).sort());
  // Both start from the overlaps of the same initial weights.
  for (let k = 0; k < 4; k++) for (let l = 0; l < 4; l++) assert.ok(Math.abs(a.Q[0][k][l] - b.Q[0][k][l]) < 1e-15);
  assert.ok(Math.abs(a.loss[0] - b.loss[0]) < 1e-12);
  assert.ok(a.lossStd[a.lossStd.length - 1] > 0, 'the runs differ');
});

test('onepass sde runs at N = 10⁹ (no weights are drawn), with mini-batches and schedules, for erf and relu committees, and refuses bad input with one line and exit code 2', () => {
  const big = run('sde', '--json', '--set', 'N=1000000000', '--set', 'alphaMax=2', '--set', 'savePoints=5');
  assert.equal(big.status, 0, big.stderr);
  assert.equal(JSON.parse(big.stdout).stats.N, 1e9);
  for (const args of [
    ['--set', 'batchSize=4', '--set', 'eta={"schedule":"piecewise","values":[2,1],"until":[1]}'],
    ['--set', 'activation=erf', '--set', 'readout=sum', '--set', 'p=2', '--set', 'pStar=2', '--set', 'trainSecondLayer=true'],
    ['--set', 'activation=relu', '--set', 'p=2', '--set', 'pStar=2'],
  ]) {
    const r = run('sde', '--json', ...small, ...args);
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    const o = JSON.parse(r.stdout);
    assert.equal(o.solver, 'sde');
    assert.ok(o.loss.every(Number.isFinite) && o.lossStd[o.lossStd.length - 1] > 0, args.join(' '));
  }
  for (const [args, re] of [
    [['--set', 'batchSize=0'], /^error: batchSize: must be an integer ≥ 1/],
    [['--set', 'sdeNoise=exact', '--set', 'activation=erf'], /^error: sdeNoise: "exact" is derived for σ = z²/],
    [['--set', 'sdeNoise=fast'], /^error: sdeNoise: must be "auto"/],
    [['--set', 'sdeStep=0'], /^error: sdeStep: must be > 0 and ≤ 1/],
    [['--set', 'ensemble=runs'], /^error: ensemble: must be "data"/],
    [['--resume'], /^error: --resume: the SDE does not checkpoint/],
  ] as const) {
    const r = run('sde', ...small, ...args);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  }
});
