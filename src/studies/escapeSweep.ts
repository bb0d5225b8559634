/**
 * Escape time against the student width p (at fixed p*) and the initialisation variance σ²,
 * from the ODE started at the overlaps of random weights (same draws, rescaled, across σ²).
 * For each p it fits α_esc = A·ln(1/σ²) + B, and the same in the time t (src/model/time.ts: ηα/p for
 * the mean readout, ηα for the sum readout), so that
 * a user sees which of A and B the over-parameterisation changes. A point that has not escaped by
 * alphaMax is run again to twice as far, up to `maxAlphaFactor`·alphaMax (the quadratic network
 * starts at 1.5× the escape predicted by theory.ts when that is further, and may go on to 3× that
 * prediction: a wide student escapes at α ∝ p); a point still without
 * an escape, or whose run failed, is listed in `dropped` with a warning.
 */
import type { Config } from '../model/config.js';
import { isOverlapInit, parseConfig } from '../model/config.js';
import { makeProblem, initialCondition } from '../model/problem.js';
import { solve } from '../solve.js';
import { analyzeLossCurve } from '../analysis/plateau.js';
import { predictEscape, lossAtZero } from '../analysis/theory.js';
import { isMeanQuadratic } from '../model/network.js';
import { initialEta, scaleEta } from '../model/schedule.js';
import { ConfigError, withContext } from '../model/errors.js';
import { timeAt, timeOf } from '../model/time.js';
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
  /** The α the ODE was run to (alphaMax, or further when the point had not escaped by then). */
  readonly alphaMax: number;
  readonly status: string;
  /** The loss curve against the paper's scaling variable t = ηα/p (the points reached where the loss is above its rounding floor). */
  readonly curve?: { readonly t: number[]; readonly loss: number[] };
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
  /** Called once every point has passed validation, before the first solve (a command announces long work here). */
  readonly onValidated?: () => void;
  /**
   * Bound on the extension of a point's run: at most this × alphaMax (default 16; 1 = never
   * extend), or for the quadratic network 3× the escape α predicted from the initial overlaps
   * (src/analysis/theory.ts) when that is further.
   */
  readonly maxAlphaFactor?: number;
}

export interface EscapeSweepResult {
  readonly points: EscapePoint[];
  readonly fits: EscapeFit[];
  /** Points without an escape (never fell below half the reference loss by the bound, or the run failed). */
  readonly dropped: { readonly p: number; readonly variance: number; readonly status: string }[];
  /** One line saying how many points were dropped and why; null when none was. */
  readonly warning: string | null;
}

export function escapeSweep(config: Config, options: EscapeSweepOptions): EscapeSweepResult {
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
        // Only the loss is read: a wide point keeps no overlap matrices (p = 256: 0.5 MB a save point).
        runs.push({ p, variance, eta, c: parseConfig({ ...config, p, eta: etaSpec, saveOverlaps: 'none', init: { ...config.init, studentVariance: variance } }) });
      } catch (err) {
        throw withContext(err, `at escape-sweep point p = ${p}, σ² = ${variance}`);
      }
    }
  }
  options.onValidated?.();
  const points: EscapePoint[] = [];
  const total = runs.length;
  const cap = config.alphaMax * Math.max(1, options.maxAlphaFactor ?? 16);
  for (const { p, variance, eta, c: c0 } of runs) {
    const problem0 = makeProblem(c0);
    const initial = initialCondition(c0);
    const init = initial.overlaps;
    // Explicit save times are the user's: no extension then.
    const extend = !c0.saveAt;
    let c = c0;
    // The bound of this point: a wide student escapes at α ∝ p/η (t = ηα/p fixed), beyond any
    // fixed multiple of alphaMax (p = 256 at η = 0.2: α ≈ 3 900 against 16 × 80), so where the
    // theory predicts the escape the bound is also 3× that prediction (never with maxAlphaFactor 1).
    let pointCap = cap;
    if (extend && typeof c0.eta === 'number' && c0.batchSize === 1 && isMeanQuadratic(problem0.network) && problem0.secondLayerRate === undefined && c0.weightDecay === 0) {
      const s = { p, pStar: c0.pStar, eta, noise: c0.noise, P: init.P, sgdNoise: !options.gradientFlow };
      const predicted = predictEscape(s, init, lossAtZero(s) / 2);
      if (predicted && cap > config.alphaMax) pointCap = Math.max(cap, 3 * predicted.alpha);
      if (predicted && 1.5 * predicted.alpha > c.alphaMax) c = parseConfig({ ...c0, alphaMax: Math.min(pointCap, 1.5 * predicted.alpha) });
    }
    const method = options.gradientFlow ? 'gradientFlow' as const : 'ode' as const;
    // Progress within each solve too: a wide point takes seconds to minutes.
    const done = points.length;
    const onProgress = options.onProgress ? (f: number) => options.onProgress!((done + f) / total) : undefined;
    let t = solve(makeProblem(c), initial, { method, onProgress });
    let a = analyzeLossCurve(t.alpha, t.loss, { floor: c.noise / 2 });
    while (extend && t.status === 'completed' && a.escapeAlpha === null && c.alphaMax < pointCap) {
      c = parseConfig({ ...c0, alphaMax: Math.min(pointCap, 2 * c.alphaMax) });
      t = solve(makeProblem(c), initial, { method, onProgress });
      a = analyzeLossCurve(t.alpha, t.loss, { floor: c.noise / 2 });
    }
    const ok = t.status === 'completed';
    points.push({
      p, variance, eta,
      escapeAlpha: ok ? a.escapeAlpha : null,
      escapeTime: ok && a.escapeAlpha !== null ? timeAt(c, a.escapeAlpha) : null,
      plateauLoss: a.plateau?.loss ?? null,
      alphaMax: c.alphaMax,
      status: ok ? (a.escapeAlpha === null ? `no escape before α = ${c.alphaMax}${extend ? ` (the bound, ${pointCap > cap ? '3× the predicted escape' : `${cap / config.alphaMax}× alphaMax`})` : ''}` : 'ok') : t.message,
      curve: resolvedCurve(timeOf(c, t.alpha), t.loss, t.lossFloor),
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
  const dropped = points.filter((q) => q.escapeAlpha === null).map((q) => ({ p: q.p, variance: q.variance, status: q.status }));
  const warning = dropped.length
    ? `${dropped.length} of ${points.length} points dropped (no escape measured): ` + dropped.map((d) => `p = ${d.p}, σ² = ${d.variance}: ${d.status}`).join('; ')
    : null;
  return { points, fits, dropped, warning };
}

/** The loss against t = ηα/p at the points where it is resolved (above its rounding floor: README, *Accuracy floor*). */
function resolvedCurve(time: Float64Array, loss: Float64Array, floor: Float64Array | undefined): { t: number[]; loss: number[] } {
  const t: number[] = [], l: number[] = [];
  for (let i = 0; i < time.length; i++) if (!floor || loss[i] > floor[i]) { t.push(time[i]); l.push(loss[i]); }
  return { t, loss: l };
}

function linearFit(x: number[], y: number[]): { slope: number; intercept: number; r2: number } {
  const n = x.length;
  const xm = x.reduce((a, b) => a + b) / n, ym = y.reduce((a, b) => a + b) / n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) { sxy += (x[i] - xm) * (y[i] - ym); const dx = x[i] - xm, dy = y[i] - ym; sxx += dx * dx; syy += dy * dy; }
  const slope = sxx > 0 ? sxy / sxx : 0;
  return { slope, intercept: ym - slope * xm, r2: syy > 0 ? (sxy * sxy) / (sxx * syy) : 1 };
}

/**
 * escape.csv in the CSV convention (src/model/csv.ts): p, variance, eta, escape_alpha, escape_t
 * (t at the escape, src/model/time.ts), plateau_loss, status; empty cells where no escape or
 * plateau was found.
 */
export function escapeCsv(points: readonly EscapePoint[]): string {
  return csvText(['p', 'variance', 'eta', 'escape_alpha', 'escape_t', 'plateau_loss', 'alpha_max', 'status'],
    points.map((q) => [q.p, q.variance, q.eta, q.escapeAlpha, q.escapeTime, q.plateauLoss, q.alphaMax, q.status]));
}
