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

/** Every file a run folder can hold: outputs of the run commands, and a simulation's checkpoint. */
export const RUN_FOLDER_FILES: ReadonlySet<string> = new Set([
  'trajectory.csv', 'result.json', 'loss.svg', 'loss.png', 'analysis.json', 'conserved.svg', 'conserved.png',
  'escape.csv', 'escape.json', 'escape.svg', 'escape.png', 'checkpoint.json',
]);
const isOwnTemporary = (name: string) => name.startsWith('.') && name.endsWith('.tmp');

/**
 * Checks before computing that `dir` can be a run folder (see the module header), and creates it
 * (a simulation checkpoints into it). Refuses a folder holding anything onepass did not write,
 * and the current folder or one of its ancestors, since the folder is swapped as a whole.
 */
export function prepareRunFolder(dir: string): void {
  checkOutPath(dir);
  const abs = resolve(dir);
  const cwd = process.cwd();
  if (abs === cwd || cwd.startsWith(abs.endsWith(sep) ? abs : abs + sep)) {
    throw new OnepassError(`--out ${dir}: a run folder is replaced as a whole when the run ends, so it cannot be the current folder or contain it; give a subfolder`);
  }
  if (existsSync(abs)) {
    if (!statSync(abs).isDirectory()) throw new OnepassError(`--out ${dir}: exists and is not a folder`);
    for (const name of readdirSync(abs)) {
      if (isOwnTemporary(name)) continue;
      const isFile = lstatSync(join(abs, name)).isFile();
      if (!RUN_FOLDER_FILES.has(name) || !isFile) {
        throw new OnepassError(`--out ${dir}: holds ${isFile ? 'the file' : 'the folder or link'} ${JSON.stringify(name)}, which onepass did not write; a run folder is replaced as a whole, so give a new or empty folder`);
      }
    }
    checkOutPath(dirname(abs), `--out ${dir}: its parent`);
  }
  prepareOutDir(dir);
}

/** Writes an output piece by piece: `write` takes chunks in order. */
export type OutputProducer = (write: (chunk: string | Uint8Array) => void) => void;

/** Writes `produce`'s chunks to a new file through a 1 MiB buffer, and flushes it to disk. */
function writeStreamed(path: string, produce: OutputProducer): void {
  const fd = openSync(path, 'wx');
  try {
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
    fsyncSync(fd);
  } finally { closeSync(fd); }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off, bytes.length - off);
}

/**
 * Replaces the run folder `dir` by one holding exactly `files` (see the module header): writes
 * them into `.<dir>.onepass-<pid>.new` beside it, then swaps. On any failure before the swap the
 * temporary folder is removed and `dir` is as it was. Returns the paths written.
 */
export function writeRunFolder(dir: string, files: readonly (readonly [string, string | Uint8Array | OutputProducer])[]): string[] {
  const abs = resolve(dir);
  const parent = dirname(abs), base = basename(abs);
  const fresh = join(parent, `.${base}.onepass-${process.pid}.new`);
  const old = join(parent, `.${base}.onepass-${process.pid}.old`);
  let current = '';
  try {
    rmSync(fresh, { recursive: true, force: true });
    mkdirSync(fresh);
    for (const [name, data] of files) {
      current = name;
      writeStreamed(join(fresh, name), typeof data === 'function' ? data : (write) => write(data));
    }
    current = '';
    syncFolder(fresh);
  } catch (err) {
    rmSync(fresh, { recursive: true, force: true });
    const what = current ? `cannot write ${join(dir, current)}` : `cannot write into ${dir}`;
    throw new OnepassError(`${what}: ${err instanceof OnepassError ? err.message : errCode(err)}; ${dir} is unchanged${existsSync(join(abs, 'checkpoint.json')) ? ' and keeps its checkpoint (--resume finishes the run again)' : ''}`);
  }
  try {
    if (existsSync(abs)) {
      chmodSync(fresh, statSync(abs).mode & 0o7777);
      renameSync(abs, old);
      try { renameSync(fresh, abs); } catch (err) { renameSync(old, abs); throw err; }
      rmSync(old, { recursive: true, force: true });
    } else renameSync(fresh, abs);
    syncFolder(parent);
  } catch (err) {
    rmSync(fresh, { recursive: true, force: true });
    throw new OnepassError(`cannot replace ${dir}: ${errCode(err)}; ${dir} is unchanged`);
  }
  return files.map(([name]) => join(dir, name));
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
  try {
    return JSON.parse(text.replace(/^\uFEFF/, '')); // a UTF-8 byte-order mark (Windows editors) is not JSON
  } catch (err) {
    throw new OnepassError(`--config ${path}: not valid JSON (${(err as Error).message})`);
  }
}

/** Rasterises an SVG to PNG at twice its size (resvg, system fonts). */
export function svgToPng(svg: string): Uint8Array {
  // Required on first use: the native addon takes ~15 ms to load, for commands that draw nothing too.
  const { Resvg } = createRequire(import.meta.url)('@resvg/resvg-js') as typeof import('@resvg/resvg-js');
  return new Resvg(svg, { fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
}
