/**
 * Checkpoints of long simulations on disk (Node only): the ensemble state with its typed arrays
 * stored bit-exactly (base64 of the raw float64 bytes), the resolved config it belongs to and the
 * onepass version, written atomically.
 *
 * File layout: one header line `{"format":"onepass-checkpoint-2","onepassVersion":…,"sha256":…}`,
 * then the body (JSON: config and state). The header's sha256 is that of the body's bytes, so a
 * flipped bit anywhere (weights, generator state, an edited loss) is refused; on top of it every
 * field is validated against the config — shapes (W has p·N numbers, Q p², M p·p*), generator
 * states (32-bit words, not all zero), the step within the run, the saved α equal to the save
 * grid's — so that a checkpoint that passes cannot resume to a wrong result. Anything off is a
 * one-line refusal (exit code 2). `--resume` also refuses a checkpoint of another config.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../model/config.js';
import type { EnsembleCheckpoint } from '../sim/ensemble.js';
import { saveGrid } from '../model/problem.js';
import { OnepassError } from '../model/errors.js';
import { VERSION } from '../version.js';
import { writeFileAtomic } from './files.js';

export const CHECKPOINT_FILE = 'checkpoint.json';
/**
 * "-2": each run in progress holds two generator states, `rng: { inputs, labelNoise }` (the
 * streams of src/random/streams.ts). Files of the earlier format hold one state of the old seeding
 * (and finished runs drawn from it): they cannot continue the same streams and are refused.
 */
const FORMAT = 'onepass-checkpoint-2';

const F64 = '$float64';

function encode(_key: string, value: unknown): unknown {
  if (value instanceof Float64Array) return { [F64]: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  return value;
}

function decode(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && F64 in value) {
    const b64 = (value as Record<string, unknown>)[F64];
    if (typeof b64 !== 'string') throw new Error(`${F64} must hold base64 text`);
    const bytes = Buffer.from(b64, 'base64');
    if (bytes.length % 8 !== 0) throw new Error(`a float64 array of ${bytes.length} bytes (not a multiple of 8)`);
    const out = new Float64Array(bytes.length / 8);
    new Uint8Array(out.buffer).set(bytes);
    return out;
  }
  return value;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** The checkpoint file's text: header line with the body's sha256, then the body. */
export function checkpointText(config: Config, state: EnsembleCheckpoint): string {
  const body = JSON.stringify({ config, state }, encode);
  return JSON.stringify({ format: FORMAT, onepassVersion: VERSION, sha256: sha256(body) }) + '\n' + body;
}

export function writeCheckpoint(dir: string, config: Config, state: EnsembleCheckpoint): void {
  writeFileAtomic(join(dir, CHECKPOINT_FILE), checkpointText(config, state));
}

/**
 * A checkpoint writer that never stops the run: a failed write (full disk, …) is reported through
 * `warn` once, and again only after a later write succeeded; the last good checkpoint stays.
 */
export function checkpointWriter(dir: string, config: Config, warn: (message: string) => void): (state: EnsembleCheckpoint) => void {
  let failing = false;
  return (state) => {
    try {
      writeCheckpoint(dir, config, state);
      failing = false;
    } catch (err) {
      if (!failing) warn(`checkpoint not saved (${(err as Error).message}); the run continues, and a resume would start from the last checkpoint saved`);
      failing = true;
    }
  };
}

/**
 * Refuses to start a new run over an interrupted one's checkpoint unless asked to (--force).
 * `canResume`: whether this command can continue the run itself (sim, compare, analyze --sim);
 * the others (ode, escape, analyze of the ODE) can only replace it, and say where --resume is.
 */
export function refuseToOverwriteCheckpoint(dir: string, canResume: boolean): void {
  if (existsSync(join(dir, CHECKPOINT_FILE))) {
    throw new OnepassError(canResume
      ? `--out ${dir}: holds the checkpoint of an interrupted run (${CHECKPOINT_FILE}); use --resume, or --force to start over`
      : `--out ${dir}: holds the checkpoint of an interrupted simulation (${CHECKPOINT_FILE}), which this command cannot continue; continue it with --resume of the command that started it (sim, compare or analyze --sim), or pass --force to replace it`);
  }
}

/** The checkpoint in `dir` for this config; a one-line error if there is none, it is another run's, or anything in it is off. */
export function readCheckpoint(dir: string, config: Config): EnsembleCheckpoint {
  const path = join(dir, CHECKPOINT_FILE);
  if (!existsSync(path)) throw new OnepassError(`--resume: no ${CHECKPOINT_FILE} in ${dir} (nothing to resume; run without --resume)`);
  if (!statSync(path).isFile()) throw new OnepassError(`--resume: ${path} is not a valid checkpoint: not a regular file`);
  return parseCheckpoint(readFileSync(path, 'utf8'), config, path);
}

/** Parses and validates a checkpoint's text (see the module header); `where` names it in errors. */
export function parseCheckpoint(text: string, config: Config, where: string): EnsembleCheckpoint {
  const refuse = (why: string): never => { throw new OnepassError(`--resume: ${where} is not a valid checkpoint: ${why}`); };
  const cut = text.indexOf('\n');
  let header: unknown;
  try { header = JSON.parse(cut < 0 ? text : text.slice(0, cut)); } catch { return refuse('no header line (written by an older onepass, or not a checkpoint)'); }
  if (!isRecord(header) || header.format !== FORMAT) return refuse('no header line (written by an older onepass, or not a checkpoint)');
  if (header.onepassVersion !== VERSION) throw new OnepassError(`--resume: the checkpoint was written by onepass ${String(header.onepassVersion)}, this is ${VERSION}`);
  const body = text.slice(cut + 1);
  if (typeof header.sha256 !== 'string' || sha256(body) !== header.sha256) refuse('its checksum does not match its content (the file was changed or damaged)');
  let saved: unknown;
  try { saved = JSON.parse(body, decode); } catch (err) { return refuse(`unreadable body (${(err as Error).message})`); }
  if (!isRecord(saved) || !isRecord(saved.config)) return refuse('no config in it');
  const a = JSON.stringify(saved.config), b = JSON.stringify(config);
  if (a !== b) {
    const old = saved.config as Record<string, unknown>;
    const key = Object.keys({ ...old, ...config }).find((k) => JSON.stringify(old[k]) !== JSON.stringify((config as Record<string, unknown>)[k]));
    throw new OnepassError(`--resume: the checkpoint in ${where.replace(/\/[^/]*$/, '')} belongs to another config (${key} differs); use the same --config and --set as the interrupted run`);
  }
  try {
    validateState(saved.state, config);
  } catch (err) {
    if (err instanceof ShapeError) refuse(err.message);
    throw err;
  }
  return saved.state as EnsembleCheckpoint;
}

class ShapeError extends Error {}

const isRecord = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);

function expect(ok: boolean, path: string, what: string): asserts ok {
  if (!ok) throw new ShapeError(`${path} ${what}`);
}

function expectFloats(x: unknown, length: number, path: string): asserts x is Float64Array {
  expect(x instanceof Float64Array, path, 'must be a float64 array');
  expect(x.length === length, path, `must hold ${length} numbers (holds ${x.length})`);
  for (let i = 0; i < x.length; i++) expect(Number.isFinite(x[i]), `${path}[${i}]`, 'must be finite');
}

function expectMatrices(x: unknown, count: number, size: number, path: string): void {
  expect(Array.isArray(x) && x.length === count, path, `must hold one array per saved α (${count})`);
  (x as unknown[]).forEach((m, i) => expectFloats(m, size, `${path}[${i}]`));
}

/** Saved α's must be the save grid's, in order, and the losses finite, one per α. */
function expectSaves(alpha: ArrayLike<unknown>, loss: unknown, grid: Float64Array, path: string): void {
  expect(alpha.length <= grid.length, `${path}.alpha`, `has ${alpha.length} points, the save grid ${grid.length}`);
  for (let i = 0; i < alpha.length; i++) expect(alpha[i] === grid[i], `${path}.alpha[${i}]`, `must be the save grid's α = ${grid[i]} (got ${String(alpha[i])})`);
  const n = (loss as ArrayLike<unknown> | null)?.length;
  expect(n === alpha.length, `${path}.loss`, `must hold one loss per saved α (${alpha.length})`);
  for (let i = 0; i < alpha.length; i++) {
    const l = (loss as ArrayLike<unknown>)[i];
    expect(typeof l === 'number' && Number.isFinite(l), `${path}.loss[${i}]`, 'must be a finite number');
  }
}

/**
 * A generator state: 32-bit words, not all zero (xoshiro's one forbidden state), or several such
 * states in an array or object (runs with more than one stream keep one state per stream).
 */
function expectGeneratorState(x: unknown, path: string): void {
  if (Array.isArray(x) && x.every((w) => typeof w === 'number')) {
    expect(x.length === 4, path, `must be 4 32-bit words (got ${x.length})`);
    expect(x.every((w) => Number.isInteger(w) && w >= -(2 ** 31) && w < 2 ** 32), path, 'must hold 32-bit integers');
    expect(x.some((w) => w !== 0), path, 'must not be all zero');
    return;
  }
  expect((Array.isArray(x) && x.length > 0) || (isRecord(x) && Object.keys(x).length > 0), path, 'must be a generator state');
  for (const [k, v] of Object.entries(x as object)) expectGeneratorState(v, `${path}.${k}`);
}

const STATUSES = new Set(['completed', 'diverged', 'failed']);
/** Keys of a run in progress (SgdCheckpoint) besides its generator states, `rng: { inputs, labelNoise }`. */
const CURRENT_KEYS = new Set(['step', 'W', 'alpha', 'loss', 'Q', 'M', 'v', 'vs']);

function validateState(state: unknown, config: Config): void {
  const { N, p, pStar, runs } = config;
  const grid = saveGrid(config);
  const gridSteps = Array.from(grid, (a) => Math.round((a * N) / config.batchSize)); // steps of batchSize samples
  const total = gridSteps.length ? gridSteps[gridSteps.length - 1] : 0;
  const trained = config.trainSecondLayer;
  expect(isRecord(state), 'state', 'must be an object');
  const { finished, current } = state as Record<string, unknown>;
  expect(Array.isArray(finished) && finished.length === runs, 'state.finished', `must list the ${runs} run(s)`);
  expect(Array.isArray(current) && current.length === runs, 'state.current', `must list the ${runs} run(s)`);
  for (let r = 0; r < runs; r++) {
    const t = (finished as unknown[])[r], c = (current as unknown[])[r];
    if (t !== null) {
      const path = `state.finished[${r}]`;
      expect(isRecord(t), path, 'must be a trajectory or null');
      expect(t.solver === 'sgd' && t.p === p && t.pStar === pStar, path, `must be an SGD trajectory of p = ${p}, p* = ${pStar}`);
      expect(t.alpha instanceof Float64Array, `${path}.alpha`, 'must be a float64 array');
      const n = (t.alpha as Float64Array).length;
      expectSaves(t.alpha as Float64Array, t.loss, grid, path);
      expect(t.loss instanceof Float64Array, `${path}.loss`, 'must be a float64 array');
      expect(STATUSES.has(t.status as string) && typeof t.message === 'string', `${path}.status`, 'must be completed, diverged or failed, with a message');
      expect(t.status !== 'completed' || n === grid.length, `${path}.alpha`, `a completed run holds every save point (${grid.length})`);
      expectMatrices(t.Q, n, p * p, `${path}.Q`);
      expectMatrices(t.M, n, p * pStar, `${path}.M`);
      expectFloats(t.P, pStar * pStar, `${path}.P`);
      if (trained) expectMatrices(t.v, n, p, `${path}.v`);
      else expect(t.v === undefined, `${path}.v`, 'must be absent (the second layer is not trained)');
      expect(isRecord(t.stats) && Object.values(t.stats).every((x) => typeof x === 'number' && Number.isFinite(x)), `${path}.stats`, 'must hold numbers');
      expect(t.stats.steps === gridSteps[n - 1] || (t.status !== 'completed' && Number.isInteger(t.stats.steps) && (t.stats.steps as number) <= total), `${path}.stats.steps`, 'must match the saved α');
    }
    if (c !== null) {
      const path = `state.current[${r}]`;
      expect(isRecord(c), path, 'must be a run state or null');
      for (const k of Object.keys(c)) expect(CURRENT_KEYS.has(k) || k === 'rng', `${path}.${k}`, 'is not part of a checkpoint');
      expect(Number.isInteger(c.step) && (c.step as number) >= 0 && (c.step as number) <= total, `${path}.step`, `must be an integer in [0, ${total}]`);
      expect(Array.isArray(c.alpha) && c.alpha.length >= 1, `${path}.alpha`, 'must list the saved α');
      const n = (c.alpha as number[]).length;
      expectSaves(c.alpha as number[], c.loss, grid, path);
      expect(Array.isArray(c.loss), `${path}.loss`, 'must be an array');
      expect(c.step === gridSteps[n - 1], `${path}.step`, `must be the step of the last saved α (${gridSteps[n - 1]}, got ${String(c.step)})`);
      expectFloats(c.W, p * N, `${path}.W`);
      expect(isRecord(c.rng) && Object.keys(c.rng).sort().join() === 'inputs,labelNoise', `${path}.rng`,
        'must hold the states of the run\'s two streams, { inputs, labelNoise }');
      for (const k of ['inputs', 'labelNoise']) expectGeneratorState((c.rng as Record<string, unknown>)[k], `${path}.rng.${k}`);
      expectMatrices(c.Q, n, p * p, `${path}.Q`);
      expectMatrices(c.M, n, p * pStar, `${path}.M`);
      if (trained) { expectFloats(c.v, p, `${path}.v`); expectMatrices(c.vs, n, p, `${path}.vs`); }
      else expect(c.v === undefined && c.vs === undefined, `${path}.v`, 'must be absent (the second layer is not trained)');
    }
  }
}
