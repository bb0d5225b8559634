/**
 * The results store of sweeps (Node only): one SQLite file (better-sqlite3), one row per
 * (config hash, solver). The hash is sha256 of the canonical JSON (sorted keys) of the fully
 * resolved config, so a repeated or interrupted sweep finds every point already done whatever
 * the sweep file looked like. Each row is its own committed transaction in WAL mode: a process
 * killed mid-sweep loses at most the points still in flight, never a half-written row.
 *
 * A store marks itself (SQLite's application_id = "onep", user_version = schema version), and an
 * existing file is checked before anything in it is changed: a database that is not a onepass
 * store (other tables, other columns, no mark) is refused, never given tables or switched to WAL.
 * Rows computed by another onepass version are not reused: the sweep recomputes them (and
 * replaces them), since a fix between versions may change the numbers.
 *
 * Schema 2 keeps each point's trajectory beside its row (table `trajectories`: the point's
 * trajectory.npz bytes, src/model/trajectoryNpz.ts), written in the row's transaction. A schema-1
 * store (rows only) is upgraded when opened for writing (the table is added); its rows have no
 * trajectory and count as not done, so the next sweep over them recomputes them once.
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

export const STORE_SCHEMA_VERSION = 2;
/** SQLite application_id of a onepass store: "onep" in ASCII. */
export const STORE_APPLICATION_ID = 0x6f6e6570;
/** The columns of the two tables, in order: a database with other tables or columns is not ours. */
const EXPECTED_COLUMNS: Record<string, string[]> = {
  results: ['config_hash', 'solver', 'config', 'status', 'message', 'final_loss', 'escape_alpha', 'plateau_loss', 'max_deviation', 'seconds', 'computed_at', 'onepass_version'],
  meta: ['key', 'value'],
  trajectories: ['config_hash', 'solver', 'npz'],
};
/** The tables of each schema version this code reads. */
const TABLES_OF_VERSION: Record<string, string[]> = { 1: ['meta', 'results'], 2: ['meta', 'results', 'trajectories'] };
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
  config_hash     TEXT NOT NULL,   -- sha256 of the canonical JSON of the resolved config
  solver          TEXT NOT NULL,   -- 'ode' | 'sgd' | 'sde'
  config          TEXT NOT NULL,   -- the canonical JSON itself
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

/** The key of a point: its resolved config without `time`, which changes no number (only how results are shown). */
export function configHash(config: Config): string {
  const { time: _time, ...computed } = config;
  return createHash('sha256').update(canonicalJson(computed)).digest('hex');
}

/** An open store. A class because it holds a real resource: the database handle. */
export class ResultStore {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  /** False for a schema-1 store opened read-only: it has no trajectories table. */
  private readonly hasTrajectories: boolean;

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
        } else if (version === 1) {
          // The upgrade to schema 2 (see the header): one transaction.
          this.db.transaction(() => {
            this.db.exec(TRAJECTORIES_TABLE);
            this.db.prepare("UPDATE meta SET value = ? WHERE key = 'schema_version'").run(String(STORE_SCHEMA_VERSION));
          })();
        }
        this.db.pragma(`application_id = ${STORE_APPLICATION_ID}`);
        this.db.pragma(`user_version = ${STORE_SCHEMA_VERSION}`);
      } else if (fresh) throw new Error('an empty database, not a onepass store');
      this.hasTrajectories = !readonly || version >= 2;
      this.insert = readonly ? this.db.prepare('SELECT 1') : this.db.prepare(`INSERT OR REPLACE INTO results VALUES
        (@config_hash, @solver, @config, @status, @message, @final_loss, @escape_alpha, @plateau_loss, @max_deviation, @seconds, @computed_at, @onepass_version)`);
    } catch (err) {
      this.db.close();
      throw new OnepassError(`store ${path}: not a onepass results database (${(err as Error).message}); give another --out folder`);
    }
  }

  static open(path: string): ResultStore { return new ResultStore(path, false); }
  static openReadonly(path: string): ResultStore { return new ResultStore(path, true); }

  /** Keys `hash/solver` of every point stored with its trajectory by this onepass version (others are recomputed, see the header). */
  doneKeys(): Set<string> {
    const rows = this.db.prepare('SELECT config_hash, solver FROM results JOIN trajectories USING (config_hash, solver) WHERE onepass_version = ?').all(VERSION) as { config_hash: string; solver: string }[];
    return new Set(rows.map((r) => `${r.config_hash}/${r.solver}`));
  }

  /** Keys `hash/solver` of points stored by another onepass version: recomputed, then replaced. */
  otherVersionKeys(): Set<string> {
    const rows = this.db.prepare('SELECT config_hash, solver FROM results WHERE onepass_version <> ?').all(VERSION) as { config_hash: string; solver: string }[];
    return new Set(rows.map((r) => `${r.config_hash}/${r.solver}`));
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM results').get() as { n: number }).n;
  }

  /** Stores a point's row and its trajectory.npz bytes together (one transaction). */
  put(config: Config, solver: SweepSolver, r: PointResult, npz: Uint8Array): void {
    const hash = configHash(config);
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

  /** Copies the rows of another store (a shard) that this one lacks; returns how many were new. */
  merge(otherPath: string): number {
    ResultStore.openReadonly(otherPath).close(); // one-line error for a missing or foreign file
    const before = this.count();
    this.db.prepare('ATTACH DATABASE ? AS other').run(otherPath);
    try {
      // The trajectories of the rows that are new here, first (a row kept here keeps its own).
      const otherHasTrajectories = this.db.prepare("SELECT 1 FROM other.sqlite_master WHERE type = 'table' AND name = 'trajectories'").get() !== undefined;
      if (otherHasTrajectories) {
        this.db.exec(`INSERT OR REPLACE INTO trajectories SELECT t.* FROM other.trajectories t
          WHERE NOT EXISTS (SELECT 1 FROM main.results m WHERE m.config_hash = t.config_hash AND m.solver = t.solver)`);
      }
      this.db.exec('INSERT OR IGNORE INTO results SELECT * FROM other.results');
    } finally {
      this.db.exec('DETACH DATABASE other');
    }
    return this.count() - before;
  }

  close(): void { this.db.close(); }
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
