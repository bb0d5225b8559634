/**
 * Checkpoints of long simulations on disk (Node only): the ensemble state with its typed arrays
 * stored bit-exactly (base64 of the raw float64 bytes), the resolved config it belongs to and the
 * onepass version, written atomically. `--resume` refuses a checkpoint of another config.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../model/config.js';
import type { EnsembleCheckpoint } from '../sim/ensemble.js';
import { OnepassError } from '../model/errors.js';
import { VERSION } from '../version.js';
import { writeFileAtomic } from './files.js';

export const CHECKPOINT_FILE = 'checkpoint.json';

const F64 = '$float64';

function encode(_key: string, value: unknown): unknown {
  if (value instanceof Float64Array) return { [F64]: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  return value;
}

function decode(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && F64 in value) {
    const bytes = Buffer.from((value as Record<string, string>)[F64], 'base64');
    const out = new Float64Array(bytes.length / 8);
    new Uint8Array(out.buffer).set(bytes);
    return out;
  }
  return value;
}

export function writeCheckpoint(dir: string, config: Config, state: EnsembleCheckpoint): void {
  writeFileAtomic(join(dir, CHECKPOINT_FILE), JSON.stringify({ onepassVersion: VERSION, config, state }, encode));
}

/** The checkpoint in `dir` for this config; a one-line error if there is none or it is another run's. */
export function readCheckpoint(dir: string, config: Config): EnsembleCheckpoint {
  const path = join(dir, CHECKPOINT_FILE);
  if (!existsSync(path)) throw new OnepassError(`--resume: no ${CHECKPOINT_FILE} in ${dir} (nothing to resume; run without --resume)`);
  let saved: { onepassVersion: string; config: Config; state: EnsembleCheckpoint };
  try {
    saved = JSON.parse(readFileSync(path, 'utf8'), decode);
  } catch (err) {
    throw new OnepassError(`--resume: ${path} is not a readable checkpoint (${(err as Error).message})`);
  }
  if (saved.onepassVersion !== VERSION) throw new OnepassError(`--resume: the checkpoint was written by onepass ${saved.onepassVersion}, this is ${VERSION}`);
  const a = JSON.stringify(saved.config), b = JSON.stringify(config);
  if (a !== b) {
    const key = Object.keys({ ...saved.config, ...config }).find((k) => JSON.stringify((saved.config as Record<string, unknown>)[k]) !== JSON.stringify((config as Record<string, unknown>)[k]));
    throw new OnepassError(`--resume: the checkpoint in ${dir} belongs to another config (${key} differs); use the same --config and --set as the interrupted run`);
  }
  return saved.state;
}

export function removeCheckpoint(dir: string): void {
  rmSync(join(dir, CHECKPOINT_FILE), { force: true });
}
