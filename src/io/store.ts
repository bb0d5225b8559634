/**
 * The results store of sweeps (Node only): one SQLite file (better-sqlite3), one row per
 * (point key, solver). Each row is its own committed transaction in WAL mode: a process killed
 * mid-sweep loses at most the points still in flight, never a half-written row.
 *
 * A store marks itself (SQLite's application_id = "onep", user_version = schema version), and an
 * existing file is checked before anything in it is changed: a database that is not a onepass
 * store (other tables, other columns, no mark) is refused, never given tables or switched to WAL.
 *
 * What invalidates a stored point, and what does not. A point is found again by its key (column
 * `config_hash`), the sha256 of the canonical JSON (sorted keys) of its resolved config reduced to
 * what changes its numbers (`pointKey`):
 *  - `time` is left out (presentation only), and so are the keys a solver never reads: `sdeStep`
 *    and `sdeNoise` for ODE and SGD points (SOLVER_KEYS), so a new SDE default leaves every
 *    stored ODE and SGD point valid;
 *  - a config key added from now on is left out while it holds its *baseline*, the value that
 *    does what onepass did before the key existed (KEY_BASELINES; a test fails for a new key
 *    without one). So a new key at its default changes no stored key: before this, adding
 *    `sdeNoise` (default "auto", = the old behaviour) changed every point's key and a rerun
 *    recomputed whole stores. The baseline is fixed when the key is added and never follows
 *    later changes of its default: a point at the old default keeps its old key, a point at a
 *    new default gets a new one and is computed.
 * Every other key, at any value, is part of the key; the per-point seeds (src/sweep/grid.ts
 * withPointSeeds) are in the config and so in the key, and do not depend on any of this.
 * Rows computed by another onepass version are not reused: the sweep recomputes them (and
 * replaces them), since a fix between versions may change the numbers (the version is the one
 * record of the code that computed a row; a change of numbers comes with a new version).
 *
 * Schema 2 keeps each point's trajectory beside its row (table `trajectories`: the point's
 * trajectory.npz bytes, src/model/trajectoryNpz.ts), written in the row's transaction. A schema-1
 * store (rows only) is upgraded when opened for writing (the table is added); its rows have no
 * trajectory and count as not done, so the next sweep over them recomputes them once.
 * Schema 3 has the tables of 2 and the keys above (schemas 1 and 2 keyed the whole config but
 * `time`). Opened for writing, an older store is re-keyed in one transaction from the config
 * each row stores (`rekey`): nothing is recomputed, and where two rows become one point (the
 * same point stored before and after a key was added) the one of this version with a trajectory,
 * else the newest, is kept. Opened read-only (export, plot) it is left as it is and its keys are
 * computed on reading. onepass before schema 3 refuses a schema-3 store (it would key otherwise).
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Config } from '../model/config.js';
import { OnepassError } from '../model/errors.js';
import { canonicalJson, type SweepSolver } from '../sweep/grid.js';
import type { PointResult } from '../sweep/point.js';
import { VERSION } from '../version.js';

export const STORE_SCHEMA_VERSION = 3;
/** SQLite application_id of a onepass store: "onep" in ASCII. */
export const STORE_APPLICATION_ID = 0x6f6e6570;
/** The columns of the two tables, in order: a database with other tables or columns is not ours. */
const EXPECTED_COLUMNS: Record<string, string[]> = {
  results: ['config_hash', 'solver', 'config', 'status', 'message', 'final_loss', 'escape_alpha', 'plateau_loss', 'max_deviation', 'seconds', 'computed_at', 'onepass_version'],
  meta: ['key', 'value'],
  trajectories: ['config_hash', 'solver', 'npz'],
};
/** The tables of each schema version this code reads. */
const TABLES_OF_VERSION: Record<string, string[]> = { 1: ['meta', 'results'], 2: ['meta', 'results', 'trajectories'], 3: ['meta', 'results', 'trajectories'] };
const TRAJECTORIES_TABLE = `
CREATE TABLE IF NOT EXISTS trajectories (
  config_hash TEXT NOT NULL,
  solver      TEXT NOT NULL,
  npz         BLOB NOT NULL,       -- the point's trajectory.npz (per-run loss, Q, M; src/model/trajectoryNpz.ts)
  PRIMARY KEY (config_hash, solver)
) WITHOUT ROWID;
`;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS results (
  config_hash     TEXT NOT NULL,   -- the point's key (pointKey): sha256 of the canonical JSON of what of the config changes its numbers
  solver          TEXT NOT NULL,   -- 'ode' | 'sgd' | 'sde'
  config          TEXT NOT NULL,   -- the canonical JSON of the whole resolved config
  status          TEXT NOT NULL,   -- 'completed' | 'diverged' | 'failed'
  message         TEXT NOT NULL,
  final_loss      REAL,
  escape_alpha    REAL,
  plateau_loss    REAL,
  max_deviation   REAL,            -- SGD only: max |ε_SGD − ε_ODE|
  seconds         REAL NOT NULL,   -- wall-clock time of the computation
  computed_at     TEXT NOT NULL,   -- ISO time the row was written
  onepass_version TEXT NOT NULL,
  PRIMARY KEY (config_hash, solver)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
${TRAJECTORIES_TABLE}`;

export interface StoredRow extends PointResult {
  readonly configHash: string;
  readonly solver: SweepSolver;
  readonly config: Config;
  readonly computedAt: string;
  readonly onepassVersion: string;
}

interface RawRow {
  config_hash: string; solver: SweepSolver; config: string; status: PointResult['status']; message: string;
  final_loss: number | null; escape_alpha: number | null; plateau_loss: number | null; max_deviation: number | null;
  seconds: number; computed_at: string; onepass_version: string;
}

/**
 * Config keys (dotted paths) added after the keys of schema 3 were fixed, each with its baseline:
 * the value that does what onepass did before the key existed. `pointKey` leaves a key out while
 * it holds its baseline, so adding a key recomputes no stored point (see the header). Add every
 * new config key that has a default here, with the value that reproduces the old behaviour (the
 * store test lists the keys known when the keys were fixed and fails for one missing here).
 */
export const KEY_BASELINES: Readonly<Record<string, unknown>> = {};

/** Config keys that only some solvers read: left out of the other solvers' keys (see the header). */
export const SOLVER_KEYS: Readonly<Record<string, readonly SweepSolver[]>> = { sdeStep: ['sde'], sdeNoise: ['sde'] };

/** `obj` without the key at dotted `path` (copies along the path only; the input is not changed). */
function without(obj: Record<string, unknown>, path: readonly string[]): Record<string, unknown> {
  const [head, ...rest] = path;
  if (!(head in obj)) return obj;
  const { [head]: inner, ...others } = obj;
  if (rest.length === 0) return others;
  if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) return obj;
  return { ...others, [head]: without(inner as Record<string, unknown>, rest) };
}

function valueAt(obj: Record<string, unknown>, path: readonly string[]): unknown {
  let cur: unknown = obj;
  for (const k of path) cur = cur !== null && typeof cur === 'object' && !Array.isArray(cur) ? (cur as Record<string, unknown>)[k] : undefined;
  return cur;
}

/**
 * The part of a resolved config that the point's key is made of (see the header): without `time`,
 * without the keys `solver` does not read, without keys added later at their baselines.
 */
export function keyedConfig(config: Config, solver: SweepSolver, baselines: Readonly<Record<string, unknown>> = KEY_BASELINES): Record<string, unknown> {
  let c = without(config as unknown as Record<string, unknown>, ['time']);
  for (const [key, solvers] of Object.entries(SOLVER_KEYS)) if (!solvers.includes(solver)) c = without(c, key.split('.'));
  for (const [key, base] of Object.entries(baselines)) {
    const path = key.split('.');
    const v = valueAt(c, path);
    if (v !== undefined && canonicalJson(v) === canonicalJson(base)) c = without(c, path);
  }
  return c;
}

/** The key of a point (column config_hash): sha256 of the canonical JSON of `keyedConfig`. */
export function pointKey(config: Config, solver: SweepSolver, baselines: Readonly<Record<string, unknown>> = KEY_BASELINES): string {
  return createHash('sha256').update(canonicalJson(keyedConfig(config, solver, baselines))).digest('hex');
}

/** An open store. A class because it holds a real resource: the database handle. */
export class ResultStore {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  /** False for a schema-1 store opened read-only: it has no trajectories table. */
  private readonly hasTrajectories: boolean;
  /** False for a store of schema < 3 opened read-only: its config_hash column holds the old keys (see the header). */
  private readonly keysCurrent: boolean;

  private constructor(readonly path: string, readonly: boolean) {
    try {
      if (!readonly) mkdirSync(dirname(path), { recursive: true });
      else if (!existsSync(path)) throw new Error('no such file');
      if (existsSync(path) && !statSync(path).isFile()) throw new Error('not a regular file');
      this.db = new Database(path, { readonly });
    } catch (err) {
      throw new OnepassError(`store ${path}: cannot open it as a onepass results database (${(err as Error).message})`);
    }
    try {
      // Read-only checks first: nothing is written to a file that is not a onepass store.
      const { fresh, version } = checkStoreIdentity(this.db);
      if (!readonly) {
        this.db.pragma('journal_mode = WAL');
        this.db.pragma('synchronous = NORMAL');
        if (fresh) {
          this.db.exec(SCHEMA);
          this.db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)').run('schema_version', String(STORE_SCHEMA_VERSION));
        } else if (version < STORE_SCHEMA_VERSION) {
          // The upgrades to schema 3 (see the header): one transaction, so a kill leaves the old store.
          this.db.transaction(() => {
            if (version === 1) this.db.exec(TRAJECTORIES_TABLE);
            this.rekey();
            this.db.prepare("UPDATE meta SET value = ? WHERE key = 'schema_version'").run(String(STORE_SCHEMA_VERSION));
          })();
        }
        this.db.pragma(`application_id = ${STORE_APPLICATION_ID}`);
        this.db.pragma(`user_version = ${STORE_SCHEMA_VERSION}`);
      } else if (fresh) throw new Error('an empty database, not a onepass store');
      this.hasTrajectories = !readonly || version >= 2;
      this.keysCurrent = !readonly || version >= 3;
      this.insert = readonly ? this.db.prepare('SELECT 1') : this.db.prepare(`INSERT OR REPLACE INTO results VALUES
        (@config_hash, @solver, @config, @status, @message, @final_loss, @escape_alpha, @plateau_loss, @max_deviation, @seconds, @computed_at, @onepass_version)`);
    } catch (err) {
      this.db.close();
      throw new OnepassError(`store ${path}: not a onepass results database (${(err as Error).message}); give another --out folder`);
    }
  }

  static open(path: string): ResultStore { return new ResultStore(path, false); }
  static openReadonly(path: string): ResultStore { return new ResultStore(path, true); }

  /** Keys `key/solver` (pointKey) of every point stored with its trajectory by this onepass version (others are recomputed, see the header). */
  doneKeys(): Set<string> {
    if (!this.hasTrajectories) return new Set();
    return this.pointKeys('FROM results JOIN trajectories USING (config_hash, solver) WHERE onepass_version = ?', VERSION);
  }

  /** Keys `key/solver` of points stored by another onepass version: recomputed, then replaced. */
  otherVersionKeys(): Set<string> {
    return this.pointKeys('FROM results WHERE onepass_version <> ?', VERSION);
  }

  /** `key/solver` of the rows `from` selects: the stored keys, or, in an older store read as it is, computed from the stored configs. */
  private pointKeys(from: string, ...params: unknown[]): Set<string> {
    if (this.keysCurrent) {
      const rows = this.db.prepare(`SELECT config_hash, solver ${from}`).all(...params) as { config_hash: string; solver: SweepSolver }[];
      return new Set(rows.map((r) => `${r.config_hash}/${r.solver}`));
    }
    const out = new Set<string>();
    for (const r of this.db.prepare(`SELECT config_hash, solver, config ${from}`).iterate(...params) as Iterable<{ config_hash: string; solver: SweepSolver; config: string }>) {
      out.add(`${storedKey(r) ?? r.config_hash}/${r.solver}`);
    }
    return out;
  }

  /**
   * Gives every row the key of schema 3, computed from the config it stores (see the header), in
   * the caller's transaction. Rows that become one point keep one: this version's with a
   * trajectory, else the newest. Reads keys and configs, never the trajectories' bytes.
   */
  private rekey(): void {
    interface Row { config_hash: string; solver: SweepSolver; config: string; computed_at: string; onepass_version: string; has_npz: number }
    interface Kept { config_hash: string; solver: SweepSolver; computed_at: string; rank: number }
    // Read row by row, keeping the keys only (not the configs): memory of ~200 bytes a row.
    const groups = new Map<string, { key: string; rows: Kept[] }>();
    for (const r of this.db.prepare(`SELECT r.config_hash, r.solver, r.config, r.computed_at, r.onepass_version,
      EXISTS (SELECT 1 FROM trajectories t WHERE t.config_hash = r.config_hash AND t.solver = r.solver) AS has_npz FROM results r`).iterate() as Iterable<Row>) {
      const key = storedKey(r) ?? r.config_hash; // a damaged config keeps its key (rows() names it)
      const g = groups.get(`${key}/${r.solver}`) ?? { key, rows: [] };
      g.rows.push({ config_hash: r.config_hash, solver: r.solver, computed_at: r.computed_at, rank: r.onepass_version === VERSION && r.has_npz ? 1 : 0 });
      groups.set(`${key}/${r.solver}`, g);
    }
    const rank = (r: Kept) => r.rank;
    const del = [this.db.prepare('DELETE FROM results WHERE config_hash = ? AND solver = ?'), this.db.prepare('DELETE FROM trajectories WHERE config_hash = ? AND solver = ?')];
    // Through a temporary key, so that no move meets a row not yet moved ('rekey:' is no hex key).
    const move = ['results', 'trajectories'].map((t) => this.db.prepare(`UPDATE ${t} SET config_hash = ? WHERE config_hash = ? AND solver = ?`));
    const moved: { key: string; solver: SweepSolver }[] = [];
    for (const { key, rows: group } of groups.values()) {
      group.sort((a, b) => rank(b) - rank(a) || (a.computed_at < b.computed_at ? 1 : a.computed_at > b.computed_at ? -1 : 0));
      const [keep, ...drop] = group;
      for (const r of drop) for (const d of del) d.run(r.config_hash, r.solver);
      if (keep.config_hash !== key) {
        for (const m of move) m.run(`rekey:${key}`, keep.config_hash, keep.solver);
        moved.push({ key, solver: keep.solver });
      }
    }
    for (const { key, solver } of moved) for (const m of move) m.run(key, `rekey:${key}`, solver);
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM results').get() as { n: number }).n;
  }

  /** Stores a point's row and its trajectory.npz bytes together (one transaction). */
  put(config: Config, solver: SweepSolver, r: PointResult, npz: Uint8Array): void {
    const hash = pointKey(config, solver);
    this.db.transaction(() => {
      this.insert.run({
        config_hash: hash, solver, config: canonicalJson(config), status: r.status, message: r.message,
        final_loss: r.finalLoss, escape_alpha: r.escapeAlpha, plateau_loss: r.plateauLoss, max_deviation: r.maxDeviation,
        seconds: r.seconds, computed_at: new Date().toISOString(), onepass_version: VERSION,
      });
      this.db.prepare('INSERT OR REPLACE INTO trajectories VALUES (?, ?, ?)').run(hash, solver, Buffer.from(npz.buffer, npz.byteOffset, npz.byteLength));
    })();
  }

  /** A point's trajectory.npz bytes, or undefined when the store has none for it (a row of schema 1). */
  trajectory(hash: string, solver: SweepSolver): Uint8Array | undefined {
    if (!this.hasTrajectories) return undefined;
    const r = this.db.prepare('SELECT npz FROM trajectories WHERE config_hash = ? AND solver = ?').get(hash, solver) as { npz: Buffer } | undefined;
    return r ? new Uint8Array(r.npz.buffer, r.npz.byteOffset, r.npz.byteLength) : undefined;
  }

  /** Every row, in key order (hash, then solver). */
  rows(): StoredRow[] {
    const raw = this.db.prepare('SELECT * FROM results ORDER BY config_hash, solver').all() as RawRow[];
    return raw.map((r) => ({
      configHash: r.config_hash, solver: r.solver, config: parseStoredConfig(r, this.path), status: r.status, message: r.message,
      finalLoss: r.final_loss, escapeAlpha: r.escape_alpha, plateauLoss: r.plateau_loss, maxDeviation: r.max_deviation,
      seconds: r.seconds, computedAt: r.computed_at, onepassVersion: r.onepass_version,
    }));
  }

  /**
   * Copies the rows of another store (a shard) that this one lacks, in one transaction; returns how
   * many points were new. The rows of an older store are re-keyed here (`rekey`), the shard is only read.
   */
  merge(otherPath: string): number {
    const other = ResultStore.openReadonly(otherPath); // one-line error for a missing or foreign file
    const otherKeysCurrent = other.keysCurrent;
    other.close();
    const before = this.count();
    this.db.prepare('ATTACH DATABASE ? AS other').run(otherPath);
    try {
      this.db.transaction(() => {
        // The trajectories of the rows that are new here, first (a row kept here keeps its own).
        const otherHasTrajectories = this.db.prepare("SELECT 1 FROM other.sqlite_master WHERE type = 'table' AND name = 'trajectories'").get() !== undefined;
        if (otherHasTrajectories) {
          this.db.exec(`INSERT OR REPLACE INTO trajectories SELECT t.* FROM other.trajectories t
            WHERE NOT EXISTS (SELECT 1 FROM main.results m WHERE m.config_hash = t.config_hash AND m.solver = t.solver)`);
        }
        this.db.exec('INSERT OR IGNORE INTO results SELECT * FROM other.results');
        if (!otherKeysCurrent) this.rekey();
      })();
    } finally {
      this.db.exec('DETACH DATABASE other');
    }
    return this.count() - before;
  }

  close(): void { this.db.close(); }
}

/** The schema-3 key of a stored row from the config it stores; undefined when that config is damaged. */
function storedKey(r: { config: string; solver: SweepSolver }): string | undefined {
  let config: unknown;
  try { config = JSON.parse(r.config); } catch { return undefined; }
  return config !== null && typeof config === 'object' && !Array.isArray(config) ? pointKey(config as Config, r.solver) : undefined;
}

/** A stored config, with a one-line error naming the row when its JSON is damaged. */
function parseStoredConfig(r: RawRow, path: string): Config {
  let config: unknown;
  try { config = JSON.parse(r.config); } catch (err) {
    throw new OnepassError(`store ${path}: the row ${r.config_hash.slice(0, 12)}…/${r.solver} holds invalid JSON in its config (${(err as Error).message}); delete the row or the store to recompute it`);
  }
  if (config === null || typeof config !== 'object' || Array.isArray(config)) throw new OnepassError(`store ${path}: the row ${r.config_hash.slice(0, 12)}…/${r.solver} holds no config object`);
  return config as Config;
}

/**
 * Whether `db` is a onepass store, by reading only: true for an empty database (a new store),
 * false for a onepass store (marked, or from before the mark with exactly our tables and
 * columns); anything else throws, saying why.
 */
function checkStoreIdentity(db: Database.Database): { fresh: boolean; version: number } {
  const appId = db.pragma('application_id', { simple: true }) as number;
  const userVersion = db.pragma('user_version', { simple: true }) as number;
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
  if (tables.length === 0 && appId === 0 && userVersion === 0) return { fresh: true, version: STORE_SCHEMA_VERSION };
  if (appId !== 0 && appId !== STORE_APPLICATION_ID) throw new Error(`application_id ${appId}, a onepass store has ${STORE_APPLICATION_ID}`);
  // The version decides the tables; read it only once a meta table of the right columns is there.
  const columnsOf = (t: string) => (db.prepare(`SELECT name FROM pragma_table_info('${t}')`).all() as { name: string }[]).map((c) => c.name);
  const hasMeta = tables.includes('meta') && columnsOf('meta').join() === EXPECTED_COLUMNS.meta.join();
  const v = hasMeta ? (db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string } | undefined)?.value : undefined;
  const expected = TABLES_OF_VERSION[v ?? STORE_SCHEMA_VERSION] ?? TABLES_OF_VERSION[STORE_SCHEMA_VERSION];
  if (tables.join() !== expected.join()) throw new Error(`tables ${tables.join(', ') || 'none'}, a onepass store has ${expected.join(', ')}`);
  for (const t of expected) {
    const cols = columnsOf(t);
    if (cols.join() !== EXPECTED_COLUMNS[t].join()) throw new Error(`table ${t} has columns ${cols.join(', ')}`);
  }
  if (v === undefined || !(v in TABLES_OF_VERSION)) throw new Error(`schema version ${v ?? 'missing'}, expected ${Object.keys(TABLES_OF_VERSION).join(' or ')}`);
  const version = Number(v);
  // user_version follows schema_version; a schema-1 store marked by an older onepass says 1.
  if (appId === STORE_APPLICATION_ID && userVersion !== version) throw new Error(`user_version ${userVersion}, expected ${version}`);
  return { fresh: false, version };
}
