/**
 * The paper's setups: the configs in paper/*.json (also runnable on their own, e.g.
 * `onepass ode paper/headline.json`), and the study around them, what the report varies: the
 * student widths, the finite learning rates at which each ODE claim is decided beside the
 * gradient-flow limit, the initialisation variances of the escape law, and the SGD sizes and
 * seeds. REDUCED_STUDY is the same study at the size the tests run it.
 */
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig, type Config } from '../src/index.js';
import { readJsonFile } from '../src/io/files.js';

/** paper/ in the repository: this module runs from dist/paper/configs.js. */
const paperDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'paper');

export type PaperConfigName = 'headline.json' | 'overparameterisation.json' | 'phase-retrieval.json';

/** A paper config: the paper's claims are for batch size 1 and a constant η (README, mini-batches and schedules). */
export type PaperConfig = Config & { readonly eta: number };

/** A config of paper/ with keys overridden, validated like any config file. */
export function paperConfig(name: PaperConfigName, overrides: Record<string, unknown> = {}): PaperConfig {
  const base = readJsonFile(join(paperDir, name)) as Record<string, unknown>;
  const c = parseConfig({ ...base, ...overrides });
  if (typeof c.eta !== 'number' || c.batchSize !== 1) throw new Error(`paper/${name}: the paper's claims need a constant eta and batchSize 1`);
  return c as PaperConfig;
}

export interface Study {
  /** Student widths of the over-parameterisation claims (p* = 2 in the config). */
  readonly widths: readonly number[];
  /** Finite learning rates at which every ODE claim is also decided (the configs' own η is added). */
  readonly etas: readonly number[];
  /** Initialisation variances σ² of the escape law t_esc ≈ A ln(1/σ²) + B. */
  readonly variances: readonly number[];
  /** Saved points per ODE run of the width study. */
  readonly savePoints: number;
  /** Input dimensions N of the SGD claims, and SGD runs (independent streams (seed, r)) per N. */
  readonly sgdNs: readonly number[];
  readonly sgdSeeds: number;
  /** Student widths of the Hessian claims (besides the headline's). */
  readonly hessianWidths: readonly number[];
  /**
   * The findings beyond the paper (SDE, src/sde/), on the headline setup: SDE runs per N of the
   * exit times against ln N, and runs per point of the closest-solution probability.
   */
  readonly finiteN: { readonly escapeRuns: number; readonly escapeNs: readonly number[]; readonly closestRuns: number };
  /** Wide students (issue 17): widths and σ² of the escape-time scaling check, in gradient flow and at the config's η. */
  readonly wideWidths: readonly number[];
  readonly wideVariances: readonly number[];
}

/**
 * What `onepass reproduce` runs. σ² from 10⁻³ to 10⁻⁹: the escape law is a small-σ² law, and at
 * 10⁻² the initial norm is no longer small next to the plateau's. SGD at N ≤ 4000 with 3 seeds
 * each: 3 seeds at N = 8000 alone would cost ~2.5 min on 2 cores.
 */
export const FULL_STUDY: Study = {
  widths: [2, 4, 8, 16],
  etas: [0.01, 0.1, 0.25],
  variances: [1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9],
  savePoints: 600,
  sgdNs: [500, 2000, 4000],
  sgdSeeds: 3,
  hessianWidths: [2, 8],
  finiteN: { escapeRuns: 16, escapeNs: [1e3, 1e5, 1e7, 1e9], closestRuns: 16 },
  // 12 ODEs per regime, ~1.5 s of CPU: the widest (p = 64) escapes at α ≈ 480 and 780.
  wideWidths: [2, 4, 8, 16, 32, 64],
  wideVariances: [1e-4, 1e-8],
};

/** The tests' size: the ODE claims on fewer points; the SGD claims are not run. */
export const REDUCED_STUDY: Study = {
  widths: [2, 4, 16],
  etas: [0.01, 0.25],
  variances: [1e-5, 1e-7, 1e-9],
  savePoints: 300,
  sgdNs: [],
  sgdSeeds: 0,
  hessianWidths: [2],
  finiteN: { escapeRuns: 8, escapeNs: [1e3, 1e7], closestRuns: 16 },
  wideWidths: [2, 4, 16, 64],
  wideVariances: [1e-4, 1e-8],
};
