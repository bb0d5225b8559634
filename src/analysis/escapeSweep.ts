/**
 * Escape time against the student width p (at fixed p*) and the initialisation variance σ²,
 * from the ODE started at the overlaps of random weights (same draws, rescaled, across σ²).
 * For each p it fits α_esc = A·ln(1/σ²) + B, and the same in the time t (src/model/time.ts: ηα/p for
 * the mean readout, ηα for the sum readout), so that
 * a user sees which of A and B the over-parameterisation changes.
 */
import type { Config } from '../model/config.js';
import { isOverlapInit, parseConfig } from '../model/config.js';
import { makeProblem, initialCondition } from '../model/problem.js';
import { solveOde } from '../ode/solve.js';
import { analyzeLossCurve } from './plateau.js';
import { initialEta, scaleEta } from '../model/schedule.js';
import { ConfigError, withContext } from '../model/errors.js';
import { timeAt } from '../model/time.js';
import { csvText } from '../model/csv.js';

export interface EscapePoint {
  readonly p: number;
  readonly variance: number;
  readonly eta: number;
  readonly escapeAlpha: number | null;
  /** t at α_esc (src/model/time.ts): ηα_esc/p for the mean readout, ηα_esc for the sum readout. */
  readonly escapeTime: number | null;
  /** Loss of the last plateau, if one was found. */
  readonly plateauLoss: number | null;
  readonly status: string;
}

export interface EscapeFit {
  readonly p: number;
  /** α_esc ≈ A ln(1/σ²) + B */
  readonly A: number;
  readonly B: number;
  /** t_esc ≈ At ln(1/σ²) + Bt */
  readonly At: number;
  readonly Bt: number;
  readonly r2: number;
  readonly points: number;
}

export interface EscapeSweepOptions {
  readonly ps: readonly number[];
  readonly variances: readonly number[];
  /** Keep η/p fixed at the config's ratio instead of η itself. */
  readonly scaleEta?: boolean;
  /** Solve gradient flow (the ODE without its η² SGD-noise term, the η → 0 limit in t = ηα/p) instead of SGD's ODE at η. */
  readonly gradientFlow?: boolean;
  readonly onProgress?: (fraction: number) => void;
}

export function escapeSweep(config: Config, options: EscapeSweepOptions): { points: EscapePoint[]; fits: EscapeFit[] } {
  if (isOverlapInit(config.init)) throw new ConfigError('init', 'the escape sweep needs a random-weight init ({ teacher, studentVariance, seed }), not explicit overlaps');
  // Every (p, σ²) config goes through the same validation as `--set p=…` (widths, memory of the
  // weights), all of them before the first solve: a bad width fails at once, not after hours.
  const runs: { p: number; variance: number; eta: number; c: Config }[] = [];
  for (const p of options.ps) {
    for (const variance of options.variances) {
      // A schedule is scaled as a whole; a constant η exactly as before ((η p)/p₀).
      const etaSpec = !options.scaleEta ? config.eta : typeof config.eta === 'number' ? (config.eta * p) / config.p : scaleEta(config.eta, p / config.p);
      const eta = initialEta(etaSpec);
      try {
        runs.push({ p, variance, eta, c: parseConfig({ ...config, p, eta: etaSpec, init: { ...config.init, studentVariance: variance } }) });
      } catch (err) {
        throw withContext(err, `at escape-sweep point p = ${p}, σ² = ${variance}`);
      }
    }
  }
  const points: EscapePoint[] = [];
  const total = runs.length;
  for (const { p, variance, eta, c } of runs) {
    const problem = makeProblem(c);
    const t = solveOde(problem, initialCondition(c).overlaps, { sgdNoise: !options.gradientFlow });
    const a = analyzeLossCurve(t.alpha, t.loss, { floor: c.noise / 2 });
    const ok = t.status === 'completed';
    points.push({
      p, variance, eta,
      escapeAlpha: ok ? a.escapeAlpha : null,
      escapeTime: ok && a.escapeAlpha !== null ? timeAt(c, a.escapeAlpha) : null,
      plateauLoss: a.plateau?.loss ?? null,
      status: ok ? (a.escapeAlpha === null ? 'no escape before alphaMax' : 'ok') : t.message,
    });
    options.onProgress?.(points.length / total);
  }
  const fits: EscapeFit[] = [];
  for (const p of options.ps) {
    const pts = points.filter((q) => q.p === p && q.escapeAlpha !== null);
    // A line needs two distinct σ²: through one (repeated) abscissa the slope is undefined, and
    // the fit printed A = 0 with R² = 1.
    if (new Set(pts.map((q) => q.variance)).size < 2) continue;
    const x = pts.map((q) => Math.log(1 / q.variance));
    const fa = linearFit(x, pts.map((q) => q.escapeAlpha!));
    const ft = linearFit(x, pts.map((q) => q.escapeTime!));
    fits.push({ p, A: fa.slope, B: fa.intercept, At: ft.slope, Bt: ft.intercept, r2: fa.r2, points: pts.length });
  }
  return { points, fits };
}

function linearFit(x: number[], y: number[]): { slope: number; intercept: number; r2: number } {
  const n = x.length;
  const xm = x.reduce((a, b) => a + b) / n, ym = y.reduce((a, b) => a + b) / n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) { sxy += (x[i] - xm) * (y[i] - ym); sxx += (x[i] - xm) ** 2; syy += (y[i] - ym) ** 2; }
  const slope = sxx > 0 ? sxy / sxx : 0;
  return { slope, intercept: ym - slope * xm, r2: syy > 0 ? (sxy * sxy) / (sxx * syy) : 1 };
}

/**
 * escape.csv in the CSV convention (src/model/csv.ts): p, variance, eta, escape_alpha, escape_t
 * (t at the escape, src/model/time.ts), plateau_loss, status; empty cells where no escape or
 * plateau was found.
 */
export function escapeCsv(points: readonly EscapePoint[]): string {
  return csvText(['p', 'variance', 'eta', 'escape_alpha', 'escape_t', 'plateau_loss', 'status'],
    points.map((q) => [q.p, q.variance, q.eta, q.escapeAlpha, q.escapeTime, q.plateauLoss, q.status]));
}
