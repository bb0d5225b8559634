/**
 * The CLI under hostile or unlucky input: usage errors, stdout that goes away or fills up,
 * injection through --set and config files, empty option values, checks that must come before
 * the computation. Each case is one line on stderr with the exit code the README promises.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = join(dirname(fileURLToPath(import.meta.url)), 'main.js');
/** Bounded: a command that would hang (e.g. a server started by mistake) fails the test after 60 s. */
const run = (args: string[], options: SpawnSyncOptions = {}) =>
  spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000, ...options }) as { status: number | null; stdout: string; stderr: string };
const small = ['--set', 'alphaMax=3', '--set', 'savePoints=20', '--set', 'N=200'];

/** Exit 2 and exactly one line on stderr, matching `pattern`, no stack trace. */
function oneLine(r: { status: number | null; stderr: string }, pattern: RegExp, what: string): void {
  assert.equal(r.status, 2, `${what}: exit ${r.status}, stderr ${r.stderr}`);
  assert.match(r.stderr.trimEnd(), pattern, what);
  assert.equal(r.stderr.trim().split('\n').length, 1, `${what}: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
}

test('an option taking one number refuses a list by name instead of running at its first value', () => {
  oneLine(run(['batch', '--fraction', '1,2', ...small]), /^error: --fraction: expected one positive number, not a list \(got "1,2"\)$/, 'batch --fraction 1,2');
  oneLine(run(['batch', '--target', '1e-3,1e-4', ...small]), /^error: --target: expected one positive number, not a list/, 'batch --target list');
  oneLine(run(['schedule', '--drop-factor', '0.1,0.5', ...small]), /^error: --drop-factor: expected one positive number, not a list/, 'schedule --drop-factor list');
  oneLine(run(['schedule', '--alpha0', '', ...small]), /^error: --alpha0: expected a positive number \(got ""\)$/, 'schedule --alpha0 empty');
});

test('unknown options and commands are one line and exit 2; --help and --version exit 0', () => {
  oneLine(run(['ode', '--bogus']), /^error: unknown option '--bogus' \(run with --help for usage\)$/, 'unknown option');
  oneLine(run(['bogus']), /^error: unknown command 'bogus' \(run with --help for usage\)$/, 'unknown command');
  oneLine(run(['explore', '--port']), /^error: option '--port <n>' argument missing/, 'missing argument');
  const help = run(['ode', '--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /^Usage: onepass ode/);
  assert.equal(run(['help', 'ode']).status, 0);
  assert.equal(run(['--version']).status, 0);
  const bare = run([]);
  assert.equal(bare.status, 2, 'no command is a usage error');
  assert.match(bare.stderr, /^Usage: onepass/);
});

test('stdout closed by its reader ends the run quietly; a full disk on stdout is one line, exit 2', () => {
  // Default ode --json is ~10⁵ bytes, more than a pipe holds, so the write meets the closed pipe.
  const piped = spawnSync('sh', ['-c', `"${process.execPath}" "${bin}" ode --json | head -c 10`], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(piped.stdout, '{"solver":');
  assert.equal(piped.stderr, '', 'no EPIPE stack trace');
  if (existsSync('/dev/full')) {
    const full = openSync('/dev/full', 'w');
    try {
      oneLine(run(['ode', '--json', ...small], { stdio: ['ignore', full, 'pipe'] }), /^error: cannot write to standard output \(ENOSPC\)$/, '/dev/full');
    } finally { closeSync(full); }
  }
});

test('a slow reader of --json gets the whole document (a full non-blocking pipe is back-pressure, not an error)', () => {
  // The reader sleeps before reading, so the ~10⁵-byte document fills the pipe (64 KiB) first.
  const slow = spawnSync('sh', ['-c', `"${process.execPath}" "${bin}" ode --json | (sleep 1; cat)`], { encoding: 'utf8', timeout: 60_000, maxBuffer: 1 << 26 });
  assert.equal(slow.stderr, '', 'no EAGAIN error');
  assert.equal(slow.status, 0);
  assert.ok(slow.stdout.length > 1 << 16, `the document is larger than a pipe (${slow.stdout.length} bytes)`);
  assert.equal(JSON.parse(slow.stdout).solver, 'ode');
});

test('--set and config files cannot reach the prototype: __proto__ is refused with one line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'onepass-'));
  writeFileSync(join(dir, 'proto.json'), '{"__proto__": {"eta": 7}}');
  oneLine(run(['ode', '--set', '__proto__.eta=7', ...small]), /^error: __proto__: not allowed as a key/, '--set __proto__');
  oneLine(run(['ode', '--set', 'constructor.prototype.eta=7', ...small]), /^error: constructor: not allowed as a key/, '--set constructor');
  oneLine(run(['ode', '--config', join(dir, 'proto.json'), ...small]), /^error: __proto__: not allowed as a key/, 'config __proto__');
});

test('a config file starting with a UTF-8 byte-order mark is read', () => {
  const dir = mkdtempSync(join(tmpdir(), 'onepass-'));
  writeFileSync(join(dir, 'bom.json'), '\uFEFF{"p": 3}');
  const r = run(['ode', '--json', '--config', join(dir, 'bom.json'), ...small]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).config.p, 3);
});

test('empty --out and --port are refused, not taken as "no output" and "any port"', () => {
  oneLine(run(['ode', '--out', '', ...small]), /^error: --out: must name a folder \(got ""\)$/, 'ode --out ""');
  oneLine(run(['sweep', '--out', '', '--set', 'p=[2,3]']), /^error: --out: must name a folder/, 'sweep --out ""');
  oneLine(run(['explore', '--port', '']), /^error: --port: must be an integer 0…65535 \(got ""\)$/, 'explore --port ""');
});

test('escape refuses a repeated width or variance (the fit would claim points it does not have)', () => {
  oneLine(run(['escape', '--variances', '1e-3,1e-3']), /^error: --variances: values must be distinct \(0\.001 is given twice/, 'escape --variances 1e-3,1e-3');
  oneLine(run(['escape', '--p', '4,4']), /^error: --p: values must be distinct/, 'escape --p 4,4');
});

test('escape validates every width like --set p (memory of the weights) before computing', () => {
  oneLine(run(['escape', '--p', '300', '--set', 'N=1000000']), /^error: N: N = 1000000 with p \+ p\* = 302 needs 4\.5 GiB for the weights.*\(at escape-sweep point p = 300, σ² = 0\.01\)$/, 'escape --p 300');
});

test('sweep --plot is checked against the planned columns and solvers before anything runs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'onepass-'));
  const sweep = ['sweep', '--set', 'p=[2,3]', '--set', 'alphaMax=1', '--workers', '1'];
  oneLine(run([...sweep, '--out', join(dir, 'a'), '--plot', 'p,etaa']), /^error: --plot: no column "etaa" \(columns: .*\beta\b/, 'unknown column');
  oneLine(run([...sweep, '--out', join(dir, 'b'), '--plot', 'p,eta,final_loss,sgd']), /^error: --plot: this sweep runs solver ode, not sgd$/, 'absent solver');
  oneLine(run([...sweep, '--out', join(dir, 'c'), '--plot', 'p']), /^error: --plot: expected X,Y/, 'one key');
  assert.deepEqual(readdirSync(dir), [], 'no sweep folder, no store: nothing ran');
});

test('an engine bug is reported as one: exit 1, "internal error (a bug in onepass, please report)", one line; a RangeError is no user error', () => {
  // ONEPASS_TEST_INTERNAL_ERROR makes the CLI throw a RangeError before the command runs, as a
  // failed invariant deep in the core would: it used to print as bad input with exit 2.
  const env = { ...process.env, ONEPASS_TEST_INTERNAL_ERROR: 'index 7 outside [0, 4)\nsecond line', ONEPASS_DEBUG: '' };
  const r = run(['ode', ...small], { env });
  assert.equal(r.status, 1, `exit ${r.status}, stderr ${r.stderr}`);
  assert.equal(r.stderr, 'error: internal error (a bug in onepass, please report): index 7 outside [0, 4)\n');
  assert.equal(r.stdout, '');
  const debug = run(['ode', ...small], { env: { ...env, ONEPASS_DEBUG: '1' } });
  assert.equal(debug.status, 1);
  assert.match(debug.stderr, /^error: internal error \(a bug in onepass, please report\): index 7 outside \[0, 4\)\nRangeError: index 7 outside \[0, 4\)\nsecond line\n\s+at /);
  // A user error still is one line, exit 2, and not marked as a bug.
  const user = run(['ode', ...small, '--set', 'alphaMax=-1']);
  assert.equal(user.status, 2);
  assert.equal(user.stderr, 'error: alphaMax: must be > 0 (final time α = samples/N) (got -1)\n');
});
