import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = join(dirname(fileURLToPath(import.meta.url)), 'main.js');
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
const small = ['--set', 'p=2', '--set', 'pStar=1', '--set', 'alphaMax=10', '--set', 'savePoints=40', '--set', 'init.studentVariance=0.01'];

test('onepass batch and onepass schedule write their table files and figures, and --json is one document', () => {
  const dir = mkdtempSync(join(tmpdir(), 'onepass-studies-'));
  const b = run('batch', '--batch-sizes', '1,2', '--target', '0.5', '--out', join(dir, 'batch'), ...small);
  assert.equal(b.status, 0, b.stderr);
  assert.deepEqual(readdirSync(join(dir, 'batch')).sort(), ['batch.csv', 'batch.json', 'batch.png', 'batch.svg']);
  const s = run('schedule', '--json', '--exponents', '0.5,1', '--set', 'noise=0.1', ...small);
  assert.equal(s.status, 0, s.stderr);
  const doc = JSON.parse(s.stdout);
  assert.equal(doc.runs.length, 2 + 2);
  assert.ok([0.5, 1].includes(doc.bestExponent));
});

test('the studies\' bad input is one line and exit 2: schedule without label noise, batch with a fraction ≥ 1, a bad schedule key', () => {
  for (const [args, pattern] of [
    [['schedule', ...small], /^error: noise: must be > 0 for the schedule study/],
    [['batch', '--fraction', '1.5', ...small], /^error: fraction: must be in \(0, 1\)/],
    [['ode', '--set', 'eta={"schedule":"power","eta0":1,"alpha0":1,"exponent":-1}', ...small], /^error: eta.exponent: must be ≥ 0/],
  ] as const) {
    const r = run(...args);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});
