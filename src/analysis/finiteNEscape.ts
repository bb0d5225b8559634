/**
 * Exit times at finite N: the escape α (first α with ε below half its initial value) of an
 * ensemble of the stochastic overlap dynamics (src/sde/) against N and η, beside the ODE started
 * from typical finite-N initial overlaps (run 0's draw). The runs vary both the initial overlaps
 * (drawn from their exact law at that N) and the noise (`ensemble: "both"`), so the spread is the
 * whole finite-N spread of SGD from Gaussian initial weights. Cost independent of N.
 */
import { parseConfig, type Config } from '../model/config.js';
import { makeProblem, type Problem } from '../model/problem.js';
import type { Overlaps } from '../model/overlaps.js';
import { solveOde } from '../ode/solve.js';
import { simulateSdeEnsemble, sdeRunOverlaps } from '../sde/ensemble.js';
import { escapeAlpha, summary } from './sdeValidation.js';

/** Run r's initial overlaps of an `ensemble: "both"` problem: a draw from their exact law (sdeRunOverlaps ignores the common overlaps then). */
export function lawOverlaps(problem: Problem, run: number): Overlaps {
  if (problem.config.ensemble === 'data') throw new RangeError('lawOverlaps: the problem\'s runs share the common overlaps (ensemble "data")');
  return sdeRunOverlaps(problem, NO_COMMON, run);
}

/** Never read: with "init" or "both" sdeRunOverlaps draws every run's overlaps itself. */
const NO_COMMON: Overlaps = { p: 0, pStar: 0, Q: new Float64Array(0), M: new Float64Array(0), P: new Float64Array(0) };

export interface FiniteNEscapePoint {
  readonly N: number;
  readonly eta: number;
  readonly runs: number;
  /** Runs whose loss fell below half its initial value by alphaMax. */
  readonly escaped: number;
  /** Mean and sample standard deviation of α_esc over the escaped runs (NaN if none). */
  readonly mean: number;
  readonly std: number;
  /** α_esc of the ODE from run 0's initial overlaps (NaN if it does not escape by alphaMax). */
  readonly ode: number;
}

export interface FiniteNEscape {
  readonly points: FiniteNEscapePoint[];
  /** Per η: least-squares slope and intercept of the mean α_esc against ln N. */
  readonly fits: { readonly eta: number; readonly slope: number; readonly intercept: number; readonly points: number }[];
}

export function finiteNEscape(config: Config, o: { readonly Ns: readonly number[]; readonly etas: readonly number[]; readonly onProgress?: (f: number) => void }): FiniteNEscape {
  const points: FiniteNEscapePoint[] = [];
  let done = 0;
  for (const eta of o.etas) for (const N of o.Ns) {
    const c = parseConfig({ ...config, N, eta, ensemble: 'both' }, { weights: false });
    const problem = makeProblem(c);
    const first = lawOverlaps(problem, 0);
    // With "both" every run draws its overlaps from their law, so the common overlaps go unused:
    // run 0's draw stands in for them, instead of overlaps of N-dimensional weights (6·10⁷
    // Gaussians at N = 10⁷: seconds, for nothing).
    const e = simulateSdeEnsemble(problem, { initial: { overlaps: first } });
    const esc = e.runs.map((t) => escapeAlpha(t));
    const s = summary(esc);
    const ode = solveOde(problem, first);
    points.push({ N, eta, runs: c.runs, escaped: s.n, mean: s.n ? s.mean : NaN, std: s.n ? s.std : NaN, ode: escapeAlpha(ode) });
    o.onProgress?.(++done / (o.etas.length * o.Ns.length));
  }
  const fits = o.etas.map((eta) => {
    const pts = points.filter((q) => q.eta === eta && Number.isFinite(q.mean));
    const xs = pts.map((q) => Math.log(q.N)), ys = pts.map((q) => q.mean);
    const n = xs.length, mx = xs.reduce((a, b) => a + b, 0) / n, my = ys.reduce((a, b) => a + b, 0) / n;
    let sxy = 0, sxx = 0;
    for (let i = 0; i < n; i++) { sxy += (xs[i] - mx) * (ys[i] - my); const dx = xs[i] - mx; sxx += dx * dx; }
    const slope = n > 1 ? sxy / sxx : NaN;
    return { eta, slope, intercept: my - slope * mx, points: n };
  });
  return { points, fits };
}
