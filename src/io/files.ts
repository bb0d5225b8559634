/**
 * Files (Node only): configs in, run folders out.
 *
 * A run folder (`--out DIR` of ode, sim, compare, analyze, escape) holds one run and is replaced
 * as a whole: every output is written into a temporary sibling folder, and only when all of them
 * are on disk is the old folder swapped out for the new one (two renames on one filesystem). So a
 * full disk, a failed write or a kill while writing leaves the previous folder untouched —
 * including the checkpoint of the run being finished, which therefore disappears only with the
 * swap, after every output is in place. Giving each file the run's identity instead would leave
 * the consistency check to every reader of the folder (pandas, a shell script, an image viewer);
 * the swap keeps the folder itself consistent. Because the old folder goes away, a run folder may
 * hold only onepass's own files: anything else makes the run refuse before computing.
 *
 * Single files (sweep exports, reports) are written atomically: a temporary file in the same
 * folder, then rename. Every output path is checked before computing without creating folders
 * inside special filesystems (/proc, /sys, /dev), and configs are read from regular files only.
 */
import {
  mkdirSync, readFileSync, renameSync, writeFileSync, rmSync, accessSync, constants, lstatSync, statSync, realpathSync,
  readdirSync, openSync, writeSync, closeSync, fsyncSync, chmodSync, statfsSync, existsSync,
} from 'node:fs';
import { dirname, join, basename, resolve, sep } from 'node:path';
import { createRequire } from 'node:module';
import { OnepassError } from '../model/errors.js';
import { visit as visitJson } from 'jsonc-parser';

const errCode = (err: unknown) => (err as NodeJS.ErrnoException).code ?? (err as Error).message;

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new OnepassError(`cannot write ${path}: ${errCode(err)}`);
  }
}

/**
 * Replaces a set of files in `dir` together, beside files that stay (a sweep folder's exports
 * beside its store): every file is first written in full to `.<name>.onepass-<pid>.set` and
 * flushed, and only then are they renamed into place one after another, and the files of
 * `remove` (exports of an earlier set this one does not include) deleted. A failure while
 * writing (full disk) leaves the previous set as it was. What cannot be swapped as a whole is
 * the rename sequence itself, since the folder also holds the durable store that stays in place:
 * a kill within those microseconds leaves new and old files side by side until the next writer,
 * which first removes what killed writers left. Returns the paths written.
 */
export function writeFileSet(dir: string, files: readonly (readonly [string, string | Uint8Array | OutputProducer])[], remove: readonly string[] = []): string[] {
  const temp = (name: string, pid = process.pid) => join(dir, `.${name}.onepass-${pid}.set`);
  for (const name of readdirSync(dir)) {
    const m = /^\..+\.onepass-(\d+)\.set$/.exec(name);
    if (m && !isAlive(Number(m[1]))) rmSync(join(dir, name), { force: true });
  }
  let current = '';
  try {
    for (const [name, data] of files) {
      current = name;
      writeStreamed(temp(name), typeof data === 'function' ? data : (write) => write(data));
    }
    current = '';
    // A folder in the way would fail its rename half-way through the set: refused before the first.
    for (const [name] of files) {
      if (lstatSync(join(dir, name), { throwIfNoEntry: false })?.isDirectory()) { current = name; throw Object.assign(new Error('a folder is in the way'), { code: 'EISDIR' }); }
    }
    for (const [name] of files) renameSync(temp(name), join(dir, name));
    for (const name of remove) rmSync(join(dir, name), { force: true });
  } catch (err) {
    for (const [name] of files) rmSync(temp(name), { force: true });
    const what = current ? `cannot write ${join(dir, current)}` : `cannot write into ${dir}`;
    throw new OnepassError(`${what}: ${errCode(err)}${current ? `; the exports in ${dir} are unchanged` : ''}`);
  }
  syncFolder(dir);
  return files.map(([name]) => join(dir, name));
}

/** Folders whose contents are the kernel's, not files: creating anything there hangs or fails. */
const SPECIAL_ROOTS = ['/proc', '/sys', '/dev'];
/** statfs magic numbers of pseudo filesystems (linux/magic.h): proc, sysfs, devpts, cgroup, cgroup2, debugfs, securityfs, tracefs. */
const SPECIAL_FS = new Set([0x9fa0, 0x62656572, 0x1cd1, 0x27e0eb, 0x63677270, 0x64626720, 0x73636673, 0x74726163]);

/**
 * Checks, without creating anything, that `dir` is or can become a writable folder on a real
 * filesystem: walks up to the first existing ancestor, which must be a folder this process can
 * write, outside /proc, /sys and /dev. Recursive mkdir is only safe after this (under /proc it spins).
 */
export function checkOutPath(dir: string, option = '--out'): void {
  const fail = (why: string): never => { throw new OnepassError(`${option} ${dir}: ${why}`); };
  if (dir.trim() === '') fail('must name a folder');
  let existing = resolve(dir);
  for (;;) {
    try { lstatSync(existing); break; } catch (err) {
      if (errCode(err) !== 'ENOENT') fail(`cannot create or write this folder (${errCode(err)})`);
    }
    const up = dirname(existing);
    if (up === existing) fail('no existing ancestor folder');
    existing = up;
  }
  let real: string;
  try { real = realpathSync(existing); } catch (err) { return fail(`cannot create or write this folder (${errCode(err)})`); }
  const root = SPECIAL_ROOTS.find((r) => real === r || real.startsWith(r + sep));
  if (root) fail(`${real === root ? `${root} is` : `${real} is inside ${root},`} a system folder; choose a folder on a real filesystem`);
  try {
    if (SPECIAL_FS.has(Number(statfsSync(real).type))) fail(`${real} is on a pseudo filesystem; choose a folder on a real filesystem`);
  } catch (err) { if (err instanceof OnepassError) throw err; }
  if (!statSync(real).isDirectory()) fail(`cannot create or write this folder (${existing} is not a folder)`);
  try { accessSync(real, constants.W_OK | constants.X_OK); } catch (err) { fail(`cannot create or write this folder (${errCode(err)} at ${existing})`); }
}

/** Checks the output folder (see checkOutPath), then creates it: for folders whose files are written one by one. */
export function prepareOutDir(dir: string): void {
  checkOutPath(dir);
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (err) {
    throw new OnepassError(`--out ${dir}: cannot create or write this folder (${errCode(err)})`);
  }
}

/**
 * The path where the run folder `dir` is swapped: `dir` itself, or, when `dir` is a symbolic link
 * to a folder (`runs -> /scratch/runs`), the folder it leads to, so that the outputs land there and
 * the link stays (renaming the link aside replaced it with a real folder on the link's filesystem and
 * left the target as it was). A link to nothing is refused.
 */
function runFolderPath(dir: string): string {
  const abs = resolve(dir);
  if (!lstatSync(abs, { throwIfNoEntry: false })?.isSymbolicLink()) return abs;
  try { return realpathSync(abs); } catch (err) {
    throw new OnepassError(`--out ${dir}: is a link to ${errCode(err) === 'ENOENT' ? 'nothing (its target is missing)' : `a path that cannot be resolved (${errCode(err)})`}; give a folder, or a link to one`);
  }
}

/** Every file a run folder can hold: outputs of the run commands, and a simulation's checkpoint. */
export const RUN_FOLDER_FILES: ReadonlySet<string> = new Set([
  'trajectory.csv', 'trajectory.npz', 'result.json', 'loss.svg', 'loss.png', 'loss.pdf', 'analysis.json', 'conserved.svg', 'conserved.png', 'conserved.pdf',
  'escape.csv', 'escape.json', 'escape.svg', 'escape.png', 'escape.pdf', 'checkpoint.json',
]);
const isOwnTemporary = (name: string) => name.startsWith('.') && name.endsWith('.tmp');

/**
 * Checks before computing that `dir` can be a run folder (see the module header), and creates it
 * (a simulation checkpoints into it). First finishes or undoes what a killed run left beside it
 * (recoverRunFolder). Refuses a folder holding anything onepass did not write (`allowed` names
 * what may be there: by default every run command's outputs), and the current folder or one of
 * its ancestors, since the folder is swapped as a whole. Returns the recovery's one-line note, if any.
 */
export function prepareRunFolder(dir: string, allowed: (name: string) => boolean = (name) => RUN_FOLDER_FILES.has(name)): string | undefined {
  checkOutPath(dir);
  const abs = runFolderPath(dir);
  const cwd = process.cwd();
  if (abs === cwd || cwd.startsWith(abs.endsWith(sep) ? abs : abs + sep)) {
    throw new OnepassError(`--out ${dir}: a run folder is replaced as a whole when the run ends, so it cannot be the current folder or contain it; give a subfolder`);
  }
  const note = recoverRunFolder(dir);
  if (existsSync(abs)) {
    if (!statSync(abs).isDirectory()) throw new OnepassError(`--out ${dir}: exists and is not a folder`);
    for (const name of readdirSync(abs)) {
      if (isOwnTemporary(name)) continue;
      const isFile = lstatSync(join(abs, name)).isFile();
      if (!allowed(name) || !isFile) {
        const whose = isFile && RUN_FOLDER_FILES.has(name) ? 'another onepass command\'s, which this one would not keep' : 'which onepass did not write';
        throw new OnepassError(`--out ${dir}: holds ${isFile ? 'the file' : 'the folder or link'} ${JSON.stringify(name)}, ${whose}; a run folder is replaced as a whole, so give a new or empty folder`);
      }
    }
    checkOutPath(dirname(abs), `--out ${dir}: its parent`);
  }
  prepareOutDir(dir);
  return note;
}

/** Writes an output piece by piece: `write` takes chunks in order. */
export type OutputProducer = (write: (chunk: string | Uint8Array) => void) => void;

/**
 * Writes `produce`'s chunks to the open descriptor `fd` through a 1 MiB buffer: memory stays
 * bounded whatever the output's size (V8 strings stop at 2²⁹ characters). Used for files and
 * for `--json` on standard output (blocking writes, so a slow reader holds the run, not memory).
 */
export function streamToFd(fd: number, produce: OutputProducer): void {
  let parts: string[] = [], size = 0;
  const flush = () => { if (size > 0) { writeAll(fd, Buffer.from(parts.join(''), 'utf8')); parts = []; size = 0; } };
  produce((chunk) => {
    if (typeof chunk === 'string') {
      parts.push(chunk);
      size += chunk.length;
      if (size >= 1 << 20) flush();
    } else { flush(); writeAll(fd, chunk); }
  });
  flush();
}

/** Writes `produce`'s chunks to a new file (streamToFd), and flushes it to disk. */
function writeStreamed(path: string, produce: OutputProducer): void {
  const fd = openSync(path, 'wx');
  try {
    streamToFd(fd, produce);
    fsyncSync(fd);
  } finally { closeSync(fd); }
}

/**
 * Writes every byte, waiting while the reader catches up: Node leaves a piped stdout in
 * non-blocking mode, so a synchronous write into a full pipe fails with EAGAIN whenever the
 * reader is slower than we are (`onepass ode --json | slow-consumer`); that is back-pressure,
 * not an error. A closed pipe still ends in EPIPE.
 */
function writeAll(fd: number, bytes: Uint8Array): void {
  for (let off = 0; off < bytes.length;) {
    try {
      off += writeSync(fd, bytes, off, bytes.length - off);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      Atomics.wait(PAUSE, 0, 0, 2); // 2 ms, without spinning the CPU
    }
  }
}
const PAUSE = new Int32Array(new SharedArrayBuffer(4));

/**
 * The sibling folders of a replacement of `D`, named after the writing process:
 * `.D.onepass-PID.part` while the outputs are written, renamed `.new` once every output is on
 * disk (the rename is the mark of completeness: a `.new` folder is always a whole run), and
 * `.D.onepass-PID.old`, the previous folder between the two renames of the swap.
 */
type Stage = 'part' | 'new' | 'old';
const siblingOf = (abs: string, stage: Stage, pid = process.pid) => join(dirname(abs), `.${basename(abs)}.onepass-${pid}.${stage}`);

/** The points of writeRunFolder a test can interrupt (a real SIGKILL in a child process, or a thrown failure). */
export type SwapStep = 'written' | 'completed' | 'old-moved' | 'new-moved';
/** Fault injection for tests only: called after each step of writeRunFolder. */
export const runFolderFaults: { after?: (step: SwapStep) => void } = {};

/**
 * Replaces the run folder `dir` by one holding exactly `files` (see the module header): writes
 * them into `.<dir>.onepass-<pid>.part` beside it, renames that `.new` (complete), then swaps.
 * On any failure before the swap the temporary folder is removed and `dir` is as it was; a kill
 * at any point leaves siblings that the next run on `dir` resolves (recoverRunFolder).
 * Returns the paths written.
 */
export function writeRunFolder(dir: string, files: readonly (readonly [string, string | Uint8Array | OutputProducer])[]): string[] {
  const abs = runFolderPath(dir);
  const parent = dirname(abs);
  const part = siblingOf(abs, 'part'), fresh = siblingOf(abs, 'new'), old = siblingOf(abs, 'old');
  let current = '';
  try {
    rmSync(part, { recursive: true, force: true });
    mkdirSync(part);
    for (const [name, data] of files) {
      current = name;
      writeStreamed(join(part, name), typeof data === 'function' ? data : (write) => write(data));
    }
    current = '';
    syncFolder(part);
    runFolderFaults.after?.('written');
    rmSync(fresh, { recursive: true, force: true });
    renameSync(part, fresh);
    syncFolder(parent);
  } catch (err) {
    rmSync(part, { recursive: true, force: true });
    const what = current ? `cannot write ${join(dir, current)}` : `cannot write into ${dir}`;
    throw new OnepassError(`${what}: ${err instanceof OnepassError ? err.message : errCode(err)}; ${dir} is unchanged${existsSync(join(abs, 'checkpoint.json')) ? ' and keeps its checkpoint (--resume finishes the run again)' : ''}`);
  }
  try {
    runFolderFaults.after?.('completed');
    if (existsSync(abs)) {
      chmodSync(fresh, statSync(abs).mode & 0o7777);
      renameSync(abs, old);
      try {
        runFolderFaults.after?.('old-moved');
        renameSync(fresh, abs);
      } catch (err) { renameSync(old, abs); throw err; }
      // The new folder is in place: the run has succeeded. An .old folder that cannot be removed
      // now is removed by the next run on `dir` (recoverRunFolder).
      try {
        runFolderFaults.after?.('new-moved');
        rmSync(old, { recursive: true, force: true });
      } catch { /* left for recoverRunFolder */ }
    } else renameSync(fresh, abs);
    syncFolder(parent);
  } catch (err) {
    rmSync(fresh, { recursive: true, force: true });
    throw new OnepassError(`cannot replace ${dir}: ${errCode(err)}; ${dir} is unchanged`);
  }
  return files.map(([name]) => join(dir, name));
}

/** Whether process `pid` exists (EPERM: it does, under another user). This process is not writing while it recovers. */
function isAlive(pid: number): boolean {
  if (pid === process.pid) return false;
  try { process.kill(pid, 0); return true; } catch (err) { return errCode(err) === 'EPERM'; }
}

/**
 * Resolves what runs killed while replacing `dir` left beside it (siblingOf), deterministically:
 * - a complete `.new` folder: the killed run had written every output and only the swap was
 *   left, so the swap is finished (`dir`, if still there, is the previous folder and goes); of
 *   several, the most recently written wins;
 * - no `.new` and no `dir`, but an `.old` folder: the kill fell between the two renames of a swap
 *   whose new folder is gone, so the previous folder is put back;
 * - every other sibling (incomplete `.part` folders, superseded `.new`/`.old`) is removed.
 * Siblings of processes still running are left alone (another run is writing them). Returns one
 * line saying what was done, or undefined when there was nothing to do.
 */
export function recoverRunFolder(dir: string): string | undefined {
  const abs = runFolderPath(dir);
  const parent = dirname(abs), base = basename(abs);
  let names: string[];
  try { names = readdirSync(parent); } catch { return undefined; }
  const prefix = `.${base}.onepass-`;
  const left = names.flatMap((name) => {
    const m = name.startsWith(prefix) ? /^(\d+)\.(part|new|old)$/.exec(name.slice(prefix.length)) : null;
    if (!m || isAlive(Number(m[1]))) return [];
    const path = join(parent, name);
    let mtime = 0;
    try { mtime = lstatSync(path).mtimeMs; } catch { return []; }
    return [{ path, pid: Number(m[1]), stage: m[2] as Stage, mtime }];
  });
  if (left.length === 0) return undefined;
  const latest = (stage: Stage) => left.filter((s) => s.stage === stage).sort((a, b) => b.mtime - a.mtime || a.path.localeCompare(b.path))[0];
  const done: string[] = [];
  const fail = (err: unknown): never => { throw new OnepassError(`--out ${dir}: cannot recover from a killed run (${errCode(err)}); the folders ${left.map((s) => basename(s.path)).join(', ')} beside it hold its outputs`); };
  // A `.new` older than `dir` lost to a run that finished after it (two runs on one folder): `dir` stays.
  const newest = latest('new');
  const finished = newest && !(existsSync(abs) && lstatSync(abs).mtimeMs > newest.mtime) ? newest : undefined;
  const previous = latest('old');
  let used: string | undefined;
  try {
    if (finished) {
      if (existsSync(abs)) {
        const aside = siblingOf(abs, 'old');
        renameSync(abs, aside);
        renameSync(finished.path, abs);
        rmSync(aside, { recursive: true, force: true });
      } else renameSync(finished.path, abs);
      used = finished.path;
      done.push(`finished replacing ${dir} with the complete outputs of a run killed while swapping them in (process ${finished.pid})`);
    } else if (previous && !existsSync(abs)) {
      renameSync(previous.path, abs);
      used = previous.path;
      done.push(`put back the previous ${dir}, moved aside by a run killed while replacing it (process ${previous.pid})`);
    }
    const stale = left.filter((s) => s.path !== used);
    for (const s of stale) rmSync(s.path, { recursive: true, force: true });
    if (stale.length) done.push(`removed ${stale.length} temporary folder(s) of killed runs (${stale.map((s) => basename(s.path)).join(', ')})`);
    syncFolder(parent);
  } catch (err) { return fail(err); }
  return `recovered ${dir}: ${done.join('; ')}`;
}

/** fsync of a folder, so that the renames in it survive a power cut (best effort: not every filesystem allows it). */
function syncFolder(path: string): void {
  try { const fd = openSync(path, 'r'); try { fsyncSync(fd); } finally { closeSync(fd); } } catch { /* not supported here */ }
}

/** Configs are small; a larger file is not one (and reading /dev/zero would never end). */
const MAX_CONFIG_BYTES = 16 * 2 ** 20;

/** Reads and parses a JSON config file (a regular file only), with one-line errors for missing files and bad JSON. */
export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new OnepassError(`--config ${path}: not a regular file; give a JSON file`);
    if (st.size > MAX_CONFIG_BYTES) throw new OnepassError(`--config ${path}: ${st.size} bytes is not a config (at most ${MAX_CONFIG_BYTES / 2 ** 20} MiB)`);
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof OnepassError) throw err;
    throw new OnepassError(`--config ${path}: cannot read the file (${errCode(err)})`);
  }
  text = text.replace(/^\uFEFF/, ''); // a UTF-8 byte-order mark (Windows editors) is not JSON
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new OnepassError(`--config ${path}: not valid JSON (${(err as Error).message})`);
  }
  const twice = duplicateKey(text);
  if (twice) throw new OnepassError(`--config ${path}: ${twice.key}: given twice (${twice.lines[0] === twice.lines[1] ? `line ${twice.lines[0]}` : `lines ${twice.lines[0]} and ${twice.lines[1]}`}); each key may appear once in an object`);
  return value;
}

/**
 * The first key that appears twice in one object of valid JSON text, with its dotted path and the lines of both.
 * JSON.parse keeps the last silently, so `{"eta": 0.1, "eta": 0.5}` would run at η = 0.5 whatever the author meant.
 */
export function duplicateKey(text: string): { key: string; lines: [number, number] } | undefined {
  const seen = new Map<string, number>();
  let found: { key: string; lines: [number, number] } | undefined;
  visitJson(text, {
    onObjectProperty: (property, _offset, _length, line, _column, pathSupplier) => {
      if (found) return;
      const path = [...pathSupplier(), property].map((p, i) => (typeof p === 'number' ? `[${p}]` : i ? `.${p}` : p)).join('');
      const first = seen.get(path);
      if (first === undefined) seen.set(path, line + 1);
      else found = { key: path, lines: [first, line + 1] };
    },
  });
  return found;
}

/** Vector PDF of an SVG figure (src/io/pdf.ts). */
export { svgToPdf, dejavuTextWidth } from './pdf.js';

/** Rasterises an SVG to PNG at twice its size (resvg, system fonts). */
export function svgToPng(svg: string): Uint8Array {
  // Required on first use: the native addon takes ~15 ms to load, for commands that draw nothing too.
  const { Resvg } = createRequire(import.meta.url)('@resvg/resvg-js') as typeof import('@resvg/resvg-js');
  return new Resvg(svg, { fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
}
