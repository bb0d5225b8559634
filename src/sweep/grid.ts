/**
 * Sweep configs: a normal config JSON in which any scalar key may hold a list of values, plus an
 * optional `solver` ("ode" | "sgd" | "sde" | "both" = ode and sgd). The Cartesian product of the lists becomes ordinary
 * configs, each validated by `parseConfig`, in one stable order (so shards agree on indices), each
 * with seeds of its own derived from the sweep's seeds and its swept values (`withPointSeeds`).
 * Core module: plain data in and out, no Node API.
 */
import { parseConfig, assertSafeKeys, clip, isOverlapInit, type Config } from '../model/config.js';
import { ConfigError, withContext } from '../model/errors.js';
import { derivedSeed, textKey } from '../random/streams.js';

export type SweepSolver = 'ode' | 'sgd' | 'sde';
export const SWEEP_SOLVERS = ['ode', 'sgd', 'sde', 'both'] as const;

/**
 * Keys whose value is an array in an ordinary config: a list there is not a sweep list. (To sweep
 * one of them, there is no list-of-lists syntax; run one sweep per value.)
 */
const ARRAY_KEYS = new Set(['saveAt', 'teacherReadout', 'studentReadout', 'init.Q', 'init.M', 'init.P', 'eta.values', 'eta.until']);
/** Guard against a typo that would expand into millions of runs. */
export const MAX_SWEEP_POINTS = 1_000_000;

/** One unit of work: a resolved config and a solver. `index` is its place in the stable order. */
export interface SweepPoint {
  readonly index: number;
  readonly solver: SweepSolver;
  readonly config: Config;
  /** The swept keys (dotted paths) and this point's value of each. */
  readonly values: Readonly<Record<string, unknown>>;
}

export interface SweepPlan {
  /** Swept keys (dotted paths) in the order they appear in the config; the last varies fastest. */
  readonly keys: string[];
  readonly solvers: SweepSolver[];
  readonly points: SweepPoint[];
}

/**
 * Expands a sweep config. Points are ordered like nested loops over the swept keys in order of
 * appearance (last key innermost), with the solver innermost of all ("both": ode, then sgd).
 */
export function expandSweep(input: unknown): SweepPlan {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new ConfigError('config', 'a sweep config must be a JSON object');
  assertSafeKeys(input); // before setPath walks any of its keys
  const { solver = 'ode', ...base } = input as Record<string, unknown>;
  if (typeof solver !== 'string' || !(SWEEP_SOLVERS as readonly string[]).includes(solver)) {
    throw new ConfigError('solver', `must be one of: ${SWEEP_SOLVERS.join(', ')} (got ${JSON.stringify(solver)})`);
  }
  const solvers: SweepSolver[] = solver === 'both' ? ['ode', 'sgd'] : [solver as SweepSolver];
  const lists: { key: string; values: unknown[] }[] = [];
  collectLists(base, [], lists);
  const count = lists.reduce((n, l) => n * l.values.length, 1) * solvers.length;
  if (count > MAX_SWEEP_POINTS) throw new ConfigError(lists[0]?.key ?? 'config', `the sweep has ${count} points; at most ${MAX_SWEEP_POINTS} are allowed`);

  const points: SweepPoint[] = [];
  const choice = new Array<number>(lists.length).fill(0);
  for (let done = false; !done;) {
    const raw = structuredClone(base);
    const values: Record<string, unknown> = {};
    lists.forEach((l, i) => { values[l.key] = l.values[choice[i]]; setPath(raw, l.key, l.values[choice[i]]); });
    let config: Config;
    try {
      // An SDE-only sweep needs no N-dimensional weights (N = 10⁹ is allowed, as in `onepass sde`).
      config = parseConfig(raw, { weights: solvers.some((s) => s !== 'sde') });
    } catch (err) {
      const at = Object.entries(values).map(([k, v]) => `${clip(k)}=${clip(JSON.stringify(v))}`).join(', ');
      throw at ? withContext(err, `at sweep point ${at}`) : err;
    }
    config = withPointSeeds(config, values);
    for (const s of solvers) points.push({ index: points.length, solver: s, config, values });
    // Odometer step: the last list turns fastest.
    let i = lists.length - 1;
    for (; i >= 0; i--) { if (++choice[i] < lists[i].values.length) break; choice[i] = 0; }
    done = i < 0;
  }
  return { keys: lists.map((l) => l.key), solvers, points };
}

/**
 * The point's own seeds: `seed` and `init.seed` replaced by seeds derived from them and from the
 * point's swept values, (seed, sweepPoint, key of the canonical JSON of the values) in
 * src/random/streams.ts. So no two points of a sweep share a random stream (points differing only
 * in η would otherwise draw the same inputs, and their errors would be correlated across the phase
 * diagram), a point keeps its seeds when other values are added to the lists, and the resolved
 * config (stored with the row) reproduces the point when run alone. ODE and SGD of one point share
 * the config, hence the initial weights.
 */
export function withPointSeeds(config: Config, values: Readonly<Record<string, unknown>>): Config {
  const key = textKey(canonicalJson(values));
  const init = isOverlapInit(config.init) ? config.init : { ...config.init, seed: derivedSeed(config.init.seed, 'sweepPoint', key) };
  return { ...config, seed: derivedSeed(config.seed, 'sweepPoint', key), init };
}

function collectLists(obj: Record<string, unknown>, path: string[], out: { key: string; values: unknown[] }[]): void {
  for (const [k, v] of Object.entries(obj)) {
    const key = [...path, k].join('.');
    if (ARRAY_KEYS.has(key)) continue;
    if (Array.isArray(v)) {
      if (v.length === 0) throw new ConfigError(key, 'a sweep list must hold at least one value');
      out.push({ key, values: v });
    } else if (v !== null && typeof v === 'object') collectLists(v as Record<string, unknown>, [...path, k], out);
  }
}

function setPath(obj: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.split('.');
  let cur = obj;
  for (const p of parts.slice(0, -1)) cur = cur[p] as Record<string, unknown>;
  cur[parts[parts.length - 1]] = value;
}

/** Canonical JSON: object keys sorted at every depth, no whitespace. Equal configs, equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A config as flat columns (dotted keys); arrays (saveAt, explicit overlaps) as JSON text. */
export function flattenConfig(config: Config): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  const walk = (obj: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(obj)) {
      if (v === undefined) continue;
      const key = prefix + k;
      if (Array.isArray(v)) out[key] = JSON.stringify(v);
      else if (v !== null && typeof v === 'object') walk(v as Record<string, unknown>, `${key}.`);
      else out[key] = v as string | number | boolean;
    }
  };
  walk(config as unknown as Record<string, unknown>, '');
  return out;
}

/** Parses `i/n` (0 ≤ i < n): this shard runs the points whose index ≡ i (mod n). */
export function parseShard(raw: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(raw.trim());
  const index = m ? Number(m[1]) : NaN, count = m ? Number(m[2]) : NaN;
  if (!m || !(count >= 1) || !(index < count)) throw new ConfigError('--shard', `expected i/n with integers 0 ≤ i < n (got "${raw}")`);
  return { index, count };
}

export function shardPoints(points: readonly SweepPoint[], shard: { index: number; count: number }): SweepPoint[] {
  return points.filter((p) => p.index % shard.count === shard.index);
}
