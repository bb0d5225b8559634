import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseWorkers, parsePort, parseOut, WORKERS_PER_CORE } from './options.js';
import { OnepassError } from '../src/index.js';

const bin = join(dirname(fileURLToPath(import.meta.url)), 'main.js');

test('--workers accepts 1 … 4 × cores and refuses more with one line saying the cap', () => {
  const max = WORKERS_PER_CORE * availableParallelism();
  assert.equal(parseWorkers('1'), 1);
  assert.equal(parseWorkers(String(max)), max);
  for (const bad of ['0', '-1', '1.5', '', ' ', 'x']) assert.throws(() => parseWorkers(bad), /^OnepassError: --workers: must be a positive integer/, bad);
  assert.throws(() => parseWorkers(String(max + 1)), (e: unknown) => e instanceof OnepassError && e.message === `--workers: at most ${max} (4 per core on ${availableParallelism()} cores; got ${max + 1})`);
  // Through the CLI, for the ensemble and the sweep (a tiny job: the old code ran it with 1 thread).
  for (const args of [['sim', '--set', 'alphaMax=1', '--set', 'N=50'], ['sweep', '--set', 'p=[2,3]', '--set', 'alphaMax=1', '--out', join('/nonexistent', 'never')]]) {
    const r = spawnSync(process.execPath, [bin, ...args, '--workers', '200'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /^error: --workers: at most \d+ \(4 per core/);
  }
});

test('--port takes 0 … 65535 and not the empty string; --out takes any non-empty name', () => {
  assert.equal(parsePort('0'), 0);
  assert.equal(parsePort('65535'), 65535);
  for (const bad of ['', ' ', '-1', '65536', '80.5', 'http']) assert.throws(() => parsePort(bad), /--port: must be an integer 0…65535/, bad);
  assert.equal(parseOut('runs/x'), 'runs/x');
  for (const bad of ['', '  ']) assert.throws(() => parseOut(bad), /--out: must name a folder/);
});

test('escape --p "" and --finite-n --etas "" are refused like any empty list (they fell back to the defaults and ran)', () => {
  for (const args of [['escape', '--p', ''], ['escape', '--finite-n', '--etas', '']]) {
    const r = spawnSync(process.execPath, [bin, ...args, '--set', 'alphaMax=1'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`^error: ${args[args.length - 2]}: expected a comma-separated list of positive (integers|numbers) \\(got ""\\)\\n$`));
  }
});
