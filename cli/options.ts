/**
 * Parsers of the CLI's own options (not config keys), shared by the commands: each returns the
 * value or throws a one-line OnepassError naming the option and what it allows.
 */
import { availableParallelism } from 'node:os';
import { OnepassError } from '../src/model/errors.js';

/**
 * Most worker threads a command may start: 4 per core. The work is CPU-bound, so threads beyond
 * the cores only time-slice; a few per core leave room to test thread counts, while 200 threads
 * (each a V8 isolate of ~13 MB, 2.6 GB in all) are refused.
 */
export const WORKERS_PER_CORE = 4;
export const maxWorkers = (): number => WORKERS_PER_CORE * availableParallelism();

/** --workers: an integer 1 … 4 × cores. */
export function parseWorkers(raw: string): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(n) || n < 1) throw new OnepassError(`--workers: must be a positive integer (got "${raw}")`);
  const max = maxWorkers();
  if (n > max) throw new OnepassError(`--workers: at most ${max} (${WORKERS_PER_CORE} per core on ${availableParallelism()} cores; got ${n})`);
  return n;
}

/** --port: an integer 0 … 65535 (0: any free port); the empty string is not 0. */
export function parsePort(raw: string): number {
  const port = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) throw new OnepassError(`--port: must be an integer 0…65535 (got "${raw}")`);
  return port;
}

/** --out: a folder name, not the empty string (which would silently mean the current folder). */
export function parseOut(raw: string | undefined): string | undefined {
  if (raw !== undefined && raw.trim() === '') throw new OnepassError('--out: must name a folder (got "")');
  return raw;
}

/**
 * An option that takes one positive number (--fraction, --target, --alpha0 …). A list such as
 * "1,2" is refused by name: reading it with the list parser and keeping the first value ran at 1
 * without a word.
 */
export function parsePositive(name: string, raw: string): number {
  if (raw.includes(',')) throw new OnepassError(`--${name}: expected one positive number, not a list (got "${raw}")`);
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v) || v <= 0) throw new OnepassError(`--${name}: expected a positive number (got "${raw}")`);
  return v;
}
