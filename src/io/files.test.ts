import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, mkdirSync, existsSync, rmSync, openSync, closeSync, fstatSync, symlinkSync, lstatSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic, writeRunFolder, prepareRunFolder, checkOutPath, readJsonFile, recoverRunFolder, runFolderFaults, streamToFd, writeFileSet } from './files.js';
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

test('--out naming a link to a folder writes the run into the folder it leads to and keeps the link (the link was replaced by a real folder, the target left as it was)', () => {
  const parent = mkdtempSync(join(tmpdir(), 'onepass-run-'));
  const target = join(parent, 'scratch', 'D'), link = join(parent, 'L');
  oldRun(target);
  symlinkSync(target, link);
  prepareRunFolder(link);
  writeRunFolder(link, [['result.json', '{"new":true}\n']]);
  assert.ok(lstatSync(link).isSymbolicLink(), 'the link stays a link');
  assert.deepEqual(contents(target), { 'result.json': '{"new":true}\n' });
  assert.deepEqual(readdirSync(parent).sort(), ['L', 'scratch']);
  assert.deepEqual(readdirSync(join(parent, 'scratch')), ['D'], 'no temporary sibling left beside the target');
  // A link to a folder that does not exist is refused without creating anything.
  symlinkSync(join(parent, 'missing'), join(parent, 'dangling'));
  assert.throws(() => prepareRunFolder(join(parent, 'dangling')), OnepassError);
  assert.ok(!existsSync(join(parent, 'missing')));
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

test('a config key given twice in one object is refused with its path and both lines, at any depth (JSON.parse keeps the last silently)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'onepass-dup-'));
  const file = join(dir, 'c.json');
  writeFileSync(file, '{\n  "eta": 0.1,\n  "eta": 0.5\n}\n');
  assert.throws(() => readJsonFile(file), (err: Error) => err.message === `--config ${file}: eta: given twice (lines 2 and 3); each key may appear once in an object`);
  writeFileSync(file, '{"teacher": {"g": "erf"}, "points": [{"p": 2}, {"p": 3, "x": {"a": 1,\n "a": 2}}]}');
  assert.throws(() => readJsonFile(file), /: points\[1\]\.x\.a: given twice \(lines 1 and 2\)/);
  writeFileSync(file, '{"init": {"seed": 1, "seed": 2}}');
  assert.throws(() => readJsonFile(file), /: init\.seed: given twice \(line 1\); each key/);
  // The same key in different objects, and in sibling array elements, is not a duplicate.
  writeFileSync(file, '{"eta": 1, "a": {"eta": 2}, "b": [{"eta": 3}, {"eta": 4}]}');
  assert.deepEqual(readJsonFile(file), { eta: 1, a: { eta: 2 }, b: [{ eta: 3 }, { eta: 4 }] });
});

// ---- a kill at any point of the swap: the next run on the folder recovers ----

const STEPS = ['written', 'completed', 'old-moved', 'new-moved'] as const;
const newRun: [string, string][] = [['trajectory.csv', 'new 300-point csv\n'], ['result.json', '{"new":true}\n']];
const newContents = Object.fromEntries([...newRun].sort());
const filesModule = new URL('./files.js', import.meta.url).href;

/** Runs writeRunFolder(dir, newRun) in a child process that SIGKILLs itself right after `step`. */
function killedWhileWriting(dir: string, step: string): void {
  const script = `import { writeRunFolder, runFolderFaults } from ${JSON.stringify(filesModule)};
runFolderFaults.after = (s) => { if (s === ${JSON.stringify(step)}) process.kill(process.pid, 'SIGKILL'); };
writeRunFolder(${JSON.stringify(dir)}, ${JSON.stringify(newRun)});`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.signal, 'SIGKILL', `the child was killed after ${step} (stderr: ${r.stderr})`);
}

test('a real SIGKILL after each step of the swap: the next run on the folder ends with the old or the new run whole, and nothing beside it', () => {
  // Killed before the new folder is complete, the old run stays; once complete, the swap is finished.
  const expected = { written: 'old', completed: 'new', 'old-moved': 'new', 'new-moved': 'new' } as const;
  const leftAfterKill = { written: ['part'], completed: ['new'], 'old-moved': ['new', 'old'], 'new-moved': ['old'] } as const;
  for (const step of STEPS) {
    const parent = mkdtempSync(join(tmpdir(), 'onepass-kill-'));
    const dir = join(parent, 'D');
    oldRun(dir);
    const before = contents(dir);
    killedWhileWriting(dir, step);
    const siblings = readdirSync(parent).filter((n) => n !== 'D').map((n) => n.replace(/^\.D\.onepass-\d+\./, '')).sort();
    assert.deepEqual(siblings, [...leftAfterKill[step]], `folders left by a kill after ${step}`);
    const note = recoverRunFolder(dir);
    // Finishing the swap is said as such; otherwise only the removal of what was left.
    const swapped = step === 'completed' || step === 'old-moved';
    assert.match(note ?? '', swapped ? /^recovered .*D: finished replacing .*complete outputs of a run killed/ : /^recovered .*D: removed 1 temporary folder/, step);
    assert.deepEqual(contents(dir), expected[step] === 'new' ? newContents : before, `after a kill after ${step}`);
    assert.deepEqual(readdirSync(parent), ['D'], `nothing left beside D after a kill after ${step}`);
    assert.equal(recoverRunFolder(dir), undefined, 'a second recovery has nothing to do');
  }
});

test('a first run killed after moving into place a fresh folder, or before: the next run recovers without an old folder', () => {
  for (const step of ['written', 'completed'] as const) {
    const parent = mkdtempSync(join(tmpdir(), 'onepass-kill-'));
    const dir = join(parent, 'D');
    killedWhileWriting(dir, step);
    recoverRunFolder(dir);
    if (step === 'written') assert.deepEqual(readdirSync(parent), []);
    else assert.deepEqual(contents(dir), newContents);
    assert.deepEqual(readdirSync(parent).filter((n) => n !== 'D'), []);
  }
});

test('a failure injected after each step of the swap leaves the old or the new run whole; what is left beside it the next run removes', () => {
  try {
    for (const step of STEPS) {
      const parent = mkdtempSync(join(tmpdir(), 'onepass-fault-'));
      const dir = join(parent, 'D');
      oldRun(dir);
      const before = contents(dir);
      runFolderFaults.after = (s) => { if (s === step) throw Object.assign(new Error('injected'), { code: 'EIO' }); };
      if (step === 'new-moved') {
        writeRunFolder(dir, newRun); // the new folder is in place: the run succeeded
        assert.deepEqual(contents(dir), newContents);
      } else {
        assert.throws(() => writeRunFolder(dir, newRun), (e: unknown) => e instanceof OnepassError && /EIO; .*D is unchanged/.test(e.message), step);
        assert.deepEqual(contents(dir), before, step);
      }
      runFolderFaults.after = undefined;
      prepareRunFolder(dir);
      assert.deepEqual(readdirSync(parent), ['D'], step);
    }
  } finally { runFolderFaults.after = undefined; }
});

test('the temporary folders of a process still running are left alone (another run is writing them)', () => {
  const parent = mkdtempSync(join(tmpdir(), 'onepass-live-'));
  const dir = join(parent, 'D');
  oldRun(dir);
  // Process 1 always exists (init); a folder named after it belongs to a live writer.
  mkdirSync(join(parent, '.D.onepass-1.part'));
  mkdirSync(join(parent, '.D.onepass-1.new'));
  assert.equal(recoverRunFolder(dir), undefined);
  assert.deepEqual(readdirSync(parent).sort(), ['.D.onepass-1.new', '.D.onepass-1.part', 'D']);
});

test('streamToFd sends a large output out in pieces while it is produced (never one string) and the bytes equal the pieces joined', () => {
  const dir = mkdtempSync(join(tmpdir(), 'onepass-stream-'));
  const path = join(dir, 'out.json');
  const fd = openSync(path, 'w');
  const piece = 'é'.repeat(1000) + '\n'; // 2-byte UTF-8: pieces are cut by characters, written as bytes
  let sizeWhileProducing = 0;
  try {
    streamToFd(fd, (write) => {
      for (let i = 0; i < 3000; i++) write(piece);
      sizeWhileProducing = fstatSync(fd).size;
      write(Buffer.from('end\n'));
    });
  } finally { closeSync(fd); }
  // 3000 pieces of 1001 characters: at least two 1 MiB flushes happened before the producer returned.
  assert.ok(sizeWhileProducing >= 2 * 2 ** 20, `${sizeWhileProducing} bytes out before the end`);
  assert.equal(readFileSync(path, 'utf8'), piece.repeat(3000) + 'end\n');
});

// ---- sweep exports: a set of files beside a store that stays ----

test('a set of files is replaced together: a failure while writing any of them, or a folder in the way of one, leaves every old file and no temporary', () => {
  const dir = mkdtempSync(join(tmpdir(), 'onepass-set-'));
  writeFileSync(join(dir, 'results.db'), 'the store');
  writeFileSet(dir, [['results.csv', 'old rows\n'], ['phase.svg', '<svg>old</svg>']]);
  const before = contents(dir);
  const failing = () => { throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }); };
  assert.throws(() => writeFileSet(dir, [['results.csv', 'new rows\n'], ['phase.svg', (write) => { write('<svg>'); failing(); }]]),
    (e: unknown) => e instanceof OnepassError && /cannot write .*phase\.svg: ENOSPC; the exports in .* are unchanged/.test(e.message));
  assert.deepEqual(contents(dir), before);
  mkdirSync(join(dir, 'phase.png'));
  assert.throws(() => writeFileSet(dir, [['results.csv', 'new rows\n'], ['phase.svg', '<svg>new</svg>'], ['phase.png', 'png']]), /cannot write .*phase\.png: EISDIR/);
  assert.deepEqual(readdirSync(dir).sort(), ['phase.png', 'phase.svg', 'results.csv', 'results.db']);
  assert.equal(readFileSync(join(dir, 'results.csv'), 'utf8'), 'old rows\n');
});

test('a set of files: files of an earlier set not in this one are removed, and temporaries of killed writers are cleared', () => {
  const dir = mkdtempSync(join(tmpdir(), 'onepass-set-'));
  writeFileSync(join(dir, 'results.db'), 'the store');
  writeFileSet(dir, [['results.csv', 'old rows\n'], ['phase.svg', '<svg>old</svg>']]);
  writeFileSync(join(dir, '.phase.png.onepass-4194305.set'), 'left by a killed writer'); // above Linux's largest pid: dead
  const written = writeFileSet(dir, [['results.csv', 'new rows\n']], ['phase.svg']);
  assert.deepEqual(written, [join(dir, 'results.csv')]);
  assert.deepEqual(contents(dir), { 'results.csv': 'new rows\n', 'results.db': 'the store' });
});
