/**
 * Plateaus, escape times and exponential decay rates of a loss curve ε(α), ODE or SGD alike.
 *
 * Definitions (scale-free: they use ratios of losses and ratios of times only):
 * - The loss is *flat* at a saved point when its relative rate |d ln ε/dα| is below
 *   `flatFraction` (default 2 %) of the largest rate anywhere on the curve (the escape or the
 *   final decay). A *plateau* is a run of flat points that the loss later leaves, falling below
 *   half of the run's level (so a final noise floor is not a plateau); its `loss` is the
 *   geometric mean over the run. From a small initialisation the first plateau is the
 *   norm-learning stage at the initial loss (W ≈ 0 is an unstable fixed point); at large N the
 *   symmetric saddle (Q ∝ I, M ≈ 0) gives a second one. `plateau` is the last of them. A run of
 *   flat points that lasts to the end of the curve is `finalFlat`: the final level, or a plateau
 *   not left within the saved α.
 * - The *escape time* α_esc is the first α after the start of the last plateau (or after α = 0
 *   when there is none) at which ε falls below half the reference level: the last plateau's
 *   loss, else the initial loss. It is interpolated linearly in (ln α, ln ε) between saved points.
 * - *Decay rates* are least-squares slopes of −ln(ε − floor) against α: right after the escape
 *   (from ½ to 1/20 of the reference level) and on the approach to zero loss (the last decade
 *   of the curve, when it reaches below 1/100 of the reference level). The approach to zero loss
 *   is fitted with the law asked for (`tailLaw`): an exponential (slope of ln(ε − floor) on α) or
 *   a power law (slope of ln(ε − floor) on ln α, ε − floor ≈ A α^{−k}); an exponential fitted to
 *   a power law gives a rate that drifts with the window, however good its r².
 */

export interface PlateauOptions {
  /** A point is flat when its rate |d ln ε/dα| is below this fraction of the curve's largest rate. */
  readonly flatFraction?: number;
  /** Loss floor subtracted before fitting decay rates (Δ/2 with label noise). */
  readonly floor?: number;
  /** Law fitted to the approach to the final loss: 'exponential' (default) or 'power'. */
  readonly tailLaw?: 'exponential' | 'power';
}

export interface Plateau {
  /** Geometric-mean loss over the plateau. */
  readonly loss: number;
  readonly startAlpha: number;
  readonly endAlpha: number;
}

export interface ExponentialFit {
  readonly law: 'exponential';
  /** Decay rate r in ε − floor ∝ e^{−rα}. */
  readonly rate: number;
  /** Coefficient of determination of the fit of ln(ε − floor) on α. */
  readonly r2: number;
  readonly fromAlpha: number;
  readonly toAlpha: number;
  readonly points: number;
}

export interface PowerFit {
  readonly law: 'power';
  /** Exponent k in ε − floor ≈ A α^{−k}. */
  readonly exponent: number;
  /** A. */
  readonly prefactor: number;
  /** Coefficient of determination of the fit of ln(ε − floor) on ln α. */
  readonly r2: number;
  readonly fromAlpha: number;
  readonly toAlpha: number;
  readonly points: number;
}

export type TailFit = ExponentialFit | PowerFit;

export interface LossCurveAnalysis {
  readonly initialLoss: number;
  /** Every plateau, in order of α. */
  readonly plateaus: Plateau[];
  /** The last plateau: the one the loss escapes from on its way to its final decay. */
  readonly plateau: Plateau | null;
  /**
   * The run of flat points that lasts to the end of the analysed curve and is not left: the final
   * level, or a plateau not left within the saved α (the curve cannot tell the two apart).
   */
  readonly finalFlat: Plateau | null;
  /** The level whose halving defines the escape: plateau loss, else initial loss. */
  readonly referenceLoss: number;
  /** null when the loss never falls below half the reference level. */
  readonly escapeAlpha: number | null;
  readonly escapeDecay: ExponentialFit | null;
  readonly finalDecay: TailFit | null;
}

export function analyzeLossCurve(alpha: ArrayLike<number>, loss: ArrayLike<number>, options: PlateauOptions = {}): LossCurveAnalysis {
  const flatFraction = options.flatFraction ?? 0.02;
  const floor = options.floor ?? 0;
  // The population loss is a difference of O(1) terms: below 1e-12 of its initial value it is
  // rounding noise, which must not read as a plateau. Analyse the curve up to that point.
  let n = Math.min(alpha.length, loss.length);
  const initialLoss = loss[0];
  for (let i = 1; i < n; i++) if (!(loss[i] - floor > 1e-12 * initialLoss)) { n = i; break; }
  const { plateaus, finalFlat } = findFlatRuns(alpha, loss, n, flatFraction);
  const plateau = plateaus.length ? plateaus[plateaus.length - 1] : null;
  const referenceLoss = plateau?.loss ?? initialLoss;
  const startIndex = plateau ? indexAtOrAfter(alpha, n, plateau.startAlpha) : 0;
  const escapeAlpha = crossing(alpha, loss, n, startIndex, referenceLoss / 2);
  let escapeDecay: ExponentialFit | null = null, finalDecay: TailFit | null = null;
  if (escapeAlpha !== null) {
    escapeDecay = fitDecay(alpha, loss, n, floor, (a, e) => a >= escapeAlpha && e <= referenceLoss / 2 && e >= referenceLoss / 20);
    const last = loss[n - 1] - floor;
    if (last > 0 && last < (referenceLoss - floor) / 100) {
      const use = (a: number, e: number) => a >= escapeAlpha && e - floor <= 10 * last;
      finalDecay = options.tailLaw === 'power' ? fitPower(alpha, loss, n, floor, use) : fitDecay(alpha, loss, n, floor, use);
    }
  }
  return { initialLoss, plateaus, plateau, finalFlat, referenceLoss, escapeAlpha, escapeDecay, finalDecay };
}

/** All plateaus, in order of α (see the module header for the definition), and the final flat run. */
function findFlatRuns(alpha: ArrayLike<number>, loss: ArrayLike<number>, n: number, flatFraction: number): { plateaus: Plateau[]; finalFlat: Plateau | null } {
  if (n < 3) return { plateaus: [], finalFlat: null };
  const laterMin = new Float64Array(n + 1).fill(Infinity);
  for (let i = n - 1; i >= 0; i--) laterMin[i] = Math.min(laterMin[i + 1], loss[i]);
  // Relative rate |d ln ε/dα| by centred differences (one-sided at the ends).
  const rate = new Float64Array(n);
  let maxRate = 0;
  for (let i = 0; i < n; i++) {
    const a = Math.max(i - 1, 0), b = Math.min(i + 1, n - 1);
    rate[i] = loss[a] > 0 && loss[b] > 0 ? Math.abs(Math.log(loss[b] / loss[a]) / (alpha[b] - alpha[a])) : Infinity;
    if (Number.isFinite(rate[i])) maxRate = Math.max(maxRate, rate[i]);
  }
  if (!(maxRate > 0)) return { plateaus: [], finalFlat: null };
  const plateaus: Plateau[] = [];
  let finalFlat: Plateau | null = null;
  for (let i = 0; i < n; i++) {
    if (!(rate[i] < flatFraction * maxRate)) continue;
    let j = i;
    while (j + 1 < n && rate[j + 1] < flatFraction * maxRate) j++;
    let logSum = 0;
    for (let k = i; k <= j; k++) logSum += Math.log(loss[k]);
    const level = Math.exp(logSum / (j - i + 1));
    // Only a stretch that the loss later leaves (falls below half its level) is a plateau;
    // a final floor is not.
    if (j > i && laterMin[j + 1] < level / 2) plateaus.push({ loss: level, startAlpha: alpha[i], endAlpha: alpha[j] });
    else if (j > i && j === n - 1) finalFlat = { loss: level, startAlpha: alpha[i], endAlpha: alpha[j] };
    i = j;
  }
  return { plateaus, finalFlat };
}

function indexAtOrAfter(alpha: ArrayLike<number>, n: number, a: number): number {
  for (let i = 0; i < n; i++) if (alpha[i] >= a) return i;
  return n - 1;
}

/**
 * First α ≥ `from` at which the curve falls below `level` (interpolated in (ln α, ln ε)), and the
 * index of the first saved point below it; null when it never does.
 */
export function firstCrossing(alpha: ArrayLike<number>, loss: ArrayLike<number>, from: number, level: number): { alpha: number; index: number } | null {
  const n = Math.min(alpha.length, loss.length);
  const start = indexAtOrAfter(alpha, n, from);
  const a = crossing(alpha, loss, n, start, level);
  if (a === null) return null;
  let index = Math.max(start, 1);
  while (index < n && !(loss[index] < level)) index++;
  return { alpha: a, index };
}

/** First α ≥ alpha[start] where the loss crosses below `level`, interpolated in (ln α, ln ε). */
function crossing(alpha: ArrayLike<number>, loss: ArrayLike<number>, n: number, start: number, level: number): number | null {
  for (let i = Math.max(start, 1); i < n; i++) {
    if (loss[i] < level) {
      if (!(loss[i - 1] >= level) || !(alpha[i - 1] > 0) || !(loss[i] > 0)) return alpha[i];
      const f = (Math.log(loss[i - 1]) - Math.log(level)) / (Math.log(loss[i - 1]) - Math.log(loss[i]));
      const a = Math.exp(Math.log(alpha[i - 1]) + f * (Math.log(alpha[i]) - Math.log(alpha[i - 1])));
      return Number.isFinite(a) ? a : alpha[i];
    }
  }
  return null;
}

/** Least-squares fit of ln(ε − floor) = c − rα over the points selected by `use`. */
function fitDecay(alpha: ArrayLike<number>, loss: ArrayLike<number>, n: number, floor: number, use: (a: number, e: number) => boolean): ExponentialFit | null {
  const fit = logLinearFit(alpha, loss, n, floor, use, (a) => a);
  return fit && { law: 'exponential', rate: -fit.slope, r2: fit.r2, fromAlpha: fit.fromAlpha, toAlpha: fit.toAlpha, points: fit.points };
}

/** Least-squares fit of ln(ε − floor) = ln A − k ln α over the points selected by `use` (α > 0). */
function fitPower(alpha: ArrayLike<number>, loss: ArrayLike<number>, n: number, floor: number, use: (a: number, e: number) => boolean): PowerFit | null {
  const fit = logLinearFit(alpha, loss, n, floor, (a, e) => a > 0 && use(a, e), Math.log);
  return fit && { law: 'power', exponent: -fit.slope, prefactor: Math.exp(fit.intercept), r2: fit.r2, fromAlpha: fit.fromAlpha, toAlpha: fit.toAlpha, points: fit.points };
}

/** Least squares of ln(ε − floor) on x(α) over the selected points; null with fewer than 3. */
function logLinearFit(alpha: ArrayLike<number>, loss: ArrayLike<number>, n: number, floor: number, use: (a: number, e: number) => boolean, x: (a: number) => number) {
  const xs: number[] = [], ys: number[] = [], as: number[] = [];
  for (let i = 0; i < n; i++) {
    const e = loss[i] - floor;
    if (e > 0 && use(alpha[i], loss[i])) { xs.push(x(alpha[i])); ys.push(Math.log(e)); as.push(alpha[i]); }
  }
  if (xs.length < 3) return null;
  const m = xs.length;
  const xm = xs.reduce((a, b) => a + b) / m, ym = ys.reduce((a, b) => a + b) / m;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < m; i++) { sxy += (xs[i] - xm) * (ys[i] - ym); const dx = xs[i] - xm, dy = ys[i] - ym; sxx += dx * dx; syy += dy * dy; }
  const slope = sxy / sxx;
  return { slope, intercept: ym - slope * xm, r2: syy > 0 ? (sxy * sxy) / (sxx * syy) : 1, fromAlpha: as[0], toAlpha: as[m - 1], points: m };
}

/**
 * Exponential growth rate of the student–teacher alignment ‖M‖_F during the escape, per unit α:
 * the least-squares slope of ln‖M‖_F over the saved points where ‖M‖_F lies between `lo` and
 * `hi` times its final value (linear regime, before saturation). In gradient flow from a small
 * initialisation it is 2η(1 + 2λ(P)/p*)/p while the norm is learned and 4ηλ(P)/(p p*) at the
 * symmetric saddle: in t = ηα/p neither depends on p.
 */
export function alignmentGrowthRate(t: { alpha: ArrayLike<number>; M: Float64Array[] }, lo = 1e-3, hi = 1e-2): ExponentialFit | null {
  const norms = t.M.map((M) => Math.hypot(...M));
  const final = norms[norms.length - 1];
  const fit = fitDecay(t.alpha, norms, norms.length, 0, (_a, m) => m > lo * final && m < hi * final);
  return fit ? { ...fit, rate: -fit.rate } : null;
}
