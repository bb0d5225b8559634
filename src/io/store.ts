/**
 * The results store of sweeps (Node only): one SQLite file (better-sqlite3), one row per
 * (config hash, solver). The hash is sha256 of the canonical JSON (sorted keys) of the fully
 * resolved config, so a repeated or interrupted sweep finds every point already done whatever
 * the sweep file looked like. Each row is its own committed transaction in WAL mode: a process
 * killed mid-sweep loses at most the points still in flight, never a half-written row.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Config } from '../model/config.js';
import { OnepassError } from '../model/errors.js';
import { canonicalJson, type SweepSolver } from '../sweep/grid.js';
import type { PointResult } from '../sweep/point.js';
import { VERSION } from '../version.js';

export const STORE_SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS results (
  config_hash     TEXT NOT NULL,   -- sha256 of the canonical JSON of the resolved config
  solver          TEXT NOT NULL,   -- 'ode' | 'sgd'
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
`;

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

export function configHash(config: Config): string {
  return createHash('sha256').update(canonicalJson(config)).digest('hex');
}

/** An open store. A class because it holds a real resource: the database handle. */
export class ResultStore {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;

  private constructor(readonly path: string, readonly: boolean) {
    try {
      if (!readonly) mkdirSync(dirname(path), { recursive: true });
      else if (!existsSync(path)) throw new Error('no such file');
      this.db = new Database(path, { readonly });
      if (!readonly) {
        this.db.pragma('journal_mode = WAL');
        this.db.pragma('synchronous = NORMAL');
        this.db.exec(SCHEMA);
        this.db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)').run('schema_version', String(STORE_SCHEMA_VERSION));
      }
      const v = (this.db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string } | undefined)?.value;
      if (v !== String(STORE_SCHEMA_VERSION)) throw new Error(`schema version ${v ?? 'missing'}, expected ${STORE_SCHEMA_VERSION}`);
    } catch (err) {
      throw new OnepassError(`store ${path}: cannot open it as a onepass results database (${(err as Error).message})`);
    }
    this.insert = readonly ? this.db.prepare('SELECT 1') : this.db.prepare(`INSERT OR REPLACE INTO results VALUES
      (@config_hash, @solver, @config, @status, @message, @final_loss, @escape_alpha, @plateau_loss, @max_deviation, @seconds, @computed_at, @onepass_version)`);
  }

  static open(path: string): ResultStore { return new ResultStore(path, false); }
  static openReadonly(path: string): ResultStore { return new ResultStore(path, true); }

  /** Keys `hash/solver` of every stored point. */
  doneKeys(): Set<string> {
    const rows = this.db.prepare('SELECT config_hash, solver FROM results').all() as { config_hash: string; solver: string }[];
    return new Set(rows.map((r) => `${r.config_hash}/${r.solver}`));
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM results').get() as { n: number }).n;
  }

  put(config: Config, solver: SweepSolver, r: PointResult): void {
    this.insert.run({
      config_hash: configHash(config), solver, config: canonicalJson(config), status: r.status, message: r.message,
      final_loss: r.finalLoss, escape_alpha: r.escapeAlpha, plateau_loss: r.plateauLoss, max_deviation: r.maxDeviation,
      seconds: r.seconds, computed_at: new Date().toISOString(), onepass_version: VERSION,
    });
  }

  /** Every row, in key order (hash, then solver). */
  rows(): StoredRow[] {
    const raw = this.db.prepare('SELECT * FROM results ORDER BY config_hash, solver').all() as RawRow[];
    return raw.map((r) => ({
      configHash: r.config_hash, solver: r.solver, config: JSON.parse(r.config) as Config, status: r.status, message: r.message,
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
      this.db.exec('INSERT OR IGNORE INTO results SELECT * FROM other.results');
    } finally {
      this.db.exec('DETACH DATABASE other');
    }
    return this.count() - before;
  }

  close(): void { this.db.close(); }
}
