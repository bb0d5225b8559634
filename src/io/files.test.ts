import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, mkdirSync, existsSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic, writeRunFolder, prepareRunFolder, checkOutPath, readJsonFile } from './files.js';
import { OnepassError } from '../model/errors.js';

test('atomic writes: a failed write leaves the old file whole and no temporary file behind', () => {
  const dir = mkdtempSync(join(tmpdir(), 'onepass-atomic-'));
  const path = join(dir, 'result.json');
  writeFileAtomic(path, '{"old":true}');
  assert.equal(readFileSync(path, 'utf8'), '{"old":true}');
  // The rename cannot replace a directory: the write fails after the temporary file was written.
  const blocked = join(dir, 'blocked');
  mkdirSync(blocked);
  writeFileSync(join(blocked, 'x'), 'keep');
  assert.throws(() => writeFileAtomic(blocked, 'new'), (e: unknown) => e instanceof OnepassError && /cannot write .*blocked/.test(e.message));
  assert.deepEqual(readdirSync(dir).sort(), ['blocked', 'result.json']);
  assert.equal(readFileSync(join(blocked, 'x'), 'utf8'), 'keep');
  writeFileAtomic(path, '{"new":true}');
  assert.equal(readFileSync(path, 'utf8'), '{"new":true}');
  assert.deepEqual(readdirSync(dir).sort(), ['blocked', 'result.json']);
});

// ---- run folders: replaced as a whole, checked before computing ----

const oldRun = (dir: string) => {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'trajectory.csv'), 'old 20-point csv\n');
  writeFileSync(join(dir, 'result.json'), '{"old":true}\n');
  writeFileSync(join(dir, 'checkpoint.json'), 'the interrupted run');
};
const contents = (dir: string) => Object.fromEntries(readdirSync(dir).sort().map((n) => [n, readFileSync(join(dir, n), 'utf8')]));

test('a run folder is replaced as a whole: the new folder holds exactly the new outputs (the finished run\'s checkpoint goes with the old one)', () => {
  const parent = mkdtempSync(join(tmpdir(), 'onepass-run-'));
  const dir = join(parent, 'D');
  oldRun(dir);
  const written = writeRunFolder(dir, [['trajectory.csv', (write) => { write('a,b\n'); write('1,2\n'); }], ['result.json', '{"new":true}\n']]);
  assert.deepEqual(written, [join(dir, 'trajectory.csv'), join(dir, 'result.json')]);
  assert.deepEqual(contents(dir), { 'result.json': '{"new":true}\n', 'trajectory.csv': 'a,b\n1,2\n' });
  assert.deepEqual(readdirSync(parent), ['D'], 'no temporary sibling left');
});

test('a write failing half-way (injected) leaves the old run folder, checkpoint included, exactly as it was and nothing beside it', () => {
  const parent = mkdtempSync(join(tmpdir(), 'onepass-run-'));
  const dir = join(parent, 'D');
  oldRun(dir);
  const before = contents(dir);
  const failing = () => { throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }); };
  assert.throws(() => writeRunFolder(dir, [['trajectory.csv', 'new 300-point csv\n'], ['result.json', (write) => { write('{'); failing(); }]]),
    (e: unknown) => e instanceof OnepassError && /cannot write .*result\.json: ENOSPC; .*unchanged and keeps its checkpoint/.test(e.message));
  assert.deepEqual(contents(dir), before);
  assert.deepEqual(readdirSync(parent), ['D']);
});

/** A 256 KiB tmpfs, when this process may mount one (root on Linux); undefined elsewhere. */
function smallDisk(): string | undefined {
  const mnt = mkdtempSync(join(tmpdir(), 'onepass-tmpfs-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mnt], { encoding: 'utf8' });
  return r.status === 0 ? mnt : undefined;
}

test('on a real full disk (256 KiB tmpfs) a rerun leaves the old run folder whole: no new trajectory.csv beside old plots', (t) => {
  const mnt = smallDisk();
  if (!mnt) { t.skip('cannot mount a tmpfs here (needs root)'); return; }
  try {
    const dir = join(mnt, 'D');
    oldRun(dir);
    const before = contents(dir);
    const big = 'x'.repeat(400 * 1024);
    assert.throws(() => writeRunFolder(dir, [['trajectory.csv', 'new csv\n'], ['loss.png', big]]), (e: unknown) => e instanceof OnepassError && /ENOSPC/.test(e.message));
    assert.deepEqual(contents(dir), before);
    assert.deepEqual(readdirSync(mnt), ['D']);
  } finally { spawnSync('umount', [mnt]); rmSync(mnt, { recursive: true, force: true }); }
});

test('an output folder under /proc, /sys or /dev, or below a file, is refused at once without creating anything', () => {
  for (const dir of ['/proc/onepass-out', '/proc/self/x/y', '/sys/onepass', '/dev/onepass/out']) {
    assert.throws(() => checkOutPath(dir), (e: unknown) => e instanceof OnepassError && e.message.startsWith(`--out ${dir}: `) && /system folder/.test(e.message), dir);
  }
  const parent = mkdtempSync(join(tmpdir(), 'onepass-run-'));
  writeFileSync(join(parent, 'file'), '');
  assert.throws(() => checkOutPath(join(parent, 'file', 'out')), /cannot create or write this folder \(ENOTDIR/);
  assert.throws(() => checkOutPath(''), /must name a folder/);
  checkOutPath(join(parent, 'new', 'deeper'));
  assert.equal(existsSync(join(parent, 'new')), false, 'checking creates nothing');
});

test('a run folder holding files onepass did not write, a folder named like an output, or the current folder is refused before computing', () => {
  const parent = mkdtempSync(join(tmpdir(), 'onepass-run-'));
  mkdirSync(join(parent, 'notes'));
  writeFileSync(join(parent, 'notes', 'thesis.tex'), 'keep');
  assert.throws(() => prepareRunFolder(join(parent, 'notes')), /holds the file "thesis\.tex", which onepass did not write/);
  mkdirSync(join(parent, 'D', 'trajectory.csv'), { recursive: true });
  assert.throws(() => prepareRunFolder(join(parent, 'D')), /holds the folder or link "trajectory\.csv"/);
  assert.throws(() => prepareRunFolder('.'), /cannot be the current folder or contain it/);
  oldRun(join(parent, 'E'));
  prepareRunFolder(join(parent, 'E'));
  prepareRunFolder(join(parent, 'F', 'G'));
  assert.ok(existsSync(join(parent, 'F', 'G')));
});

test('configs are read from regular files only: /dev/zero and a folder are refused at once', () => {
  assert.throws(() => readJsonFile('/dev/zero'), /^OnepassError: --config \/dev\/zero: not a regular file/);
  assert.throws(() => readJsonFile(tmpdir()), /not a regular file/);
});
