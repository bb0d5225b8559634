/**
 * Which zero-loss solution finite-N SGD ends at, as a probability: over SDE ensembles (src/sde/,
 * initial overlaps drawn from their exact law and noise both varied, `ensemble: "both"`) on a grid
 * of η, σ² (init.studentVariance) and N, the fraction of runs whose final distance to the
 * solution closest to their initialisation is below `threshold` × the typical distance
 * (src/analysis/implicitBias.ts, the ratio of analysis/sdeValidation.ts `finalBias`), and the
 * scaling variable on which that probability collapses.
 *
 * Why a collapse is expected, and on what. The closest solution is fixed by the direction of
 * M₀ ~ σ/√N. While ‖M‖ is small, the drift multiplies M by a matrix (growth at a rate ∝ η, the
 * norm growth and the plateau's alignment), and the SDE's noise on M has variance rate
 * ∝ η² ε Q_kk / N (quadraticNoise.ts: N ΔM_kj = a_k ν_j, a_k ∝ η e λ_k). Relative to M both
 * scale with 1/√N and with the norm √Q, so the direction of M is re-randomised by a relative
 * variance ∝ η² per unit α over growth times ∝ 1/η, i.e. ∝ η, times a factor that depends on σ²
 * only through the duration of the norm growth, ln(1/σ²): to leading order the variable is η,
 * with N dropping out and σ² entering weakly. The hint "η·(σ²)^(−1/2)" (η/σ) is one member of the
 * family tested here, x = η·(σ²)^a·N^b: a logistic regression of the counts on ln η, ln σ², ln N
 * (binomial GLM, IRLS) gives a = β_σ²/β_η and b = β_N/β_η with standard errors; its deviance per
 * degree of freedom (≈ 1 when the points collapse onto one logistic curve within their binomial
 * noise) is the collapse quality, beside that of x = η alone and of x = η/σ.
 *
 * Cost: the α-step is taken ∝ 1/η (ηh = `etaStep`, 0.025: the default 0.05 at η = 0.5, where the
 * step study of README showed no step dependence of the escape), and each point runs to
 * α = (30 + 2 ln(N/σ²))/η: the escape takes ≈ ln(N/σ²)/η (growth from M₀ ~ σ/√N) and the
 * convergence a fixed multiple of 1/η. So every point costs about the same, whatever η and N.
 */
import { Matrix, inverse } from 'ml-matrix';
import { parseConfig, type Config } from '../model/config.js';
import { isOverlapInit } from '../model/init.js';
import { makeProblem } from '../model/problem.js';
import { isMeanQuadratic } from '../model/network.js';
import { ConfigError } from '../model/errors.js';
import { simulateSdeEnsemble } from '../sde/ensemble.js';
import { finalBias } from '../analysis/sdeValidation.js';
import { lawOverlaps } from '../analysis/finiteNEscape.js';
import { pow } from '../math/pow.js';

/** ηh of the study's SDE step (see the header). */
export const CLOSEST_ETA_STEP = 0.025;

/** A run counts as converged when its final loss is below this fraction of its initial loss. */
export const CONVERGED_FRACTION = 1e-2;

/** α a point runs to: escape ≈ ln(N/σ²)/η plus a fixed number of 1/η to converge. */
export function closestAlphaMax(eta: number, N: number, variance: number): number {
  return (30 + 2 * Math.log(N / variance)) / eta;
}

export interface ClosestPoint {
  readonly N: number;
  readonly eta: number;
  readonly variance: number;
  readonly runs: number;
  /** Runs whose final loss fell below CONVERGED_FRACTION of the initial: the ones counted. */
  readonly converged: number;
  /** Converged runs ending within `threshold` × the typical distance of their closest solution. */
  readonly near: number;
  /** near/converged, and its binomial standard error √(P(1 − P)/converged). */
  readonly probability: number;
  readonly stderr: number;
  /** Mean and sample standard deviation of the distance ratio over the converged runs. */
  readonly ratioMean: number;
  readonly ratioStd: number;
  /** The distance ratios of the converged runs, in increasing order (their empirical distribution). */
  readonly ratios: readonly number[];
  readonly alphaMax: number;
  readonly sdeStep: number;
}

/** A binomial logistic regression: logit P = Σ_k β_k x_k. */
export interface LogisticFit {
  readonly predictors: readonly string[];
  readonly coefficients: readonly number[];
  readonly stderr: readonly number[];
  /** Their covariance (inverse Fisher information), row-major rows. */
  readonly covariance: readonly (readonly number[])[];
  /** Binomial deviance and its degrees of freedom (points − coefficients). */
  readonly deviance: number;
  readonly dof: number;
  /**
   * false when the maximum likelihood is at infinity (the counts are separated: every point below
   * some x all near, above it none) or the information is singular: then every number is NaN.
   */
  readonly converged: boolean;
}

export interface ClosestStudy {
  readonly threshold: number;
  readonly points: ClosestPoint[];
  /** x = η·(σ²)^a·N^b with (a, b) fitted; logit P = β0 + β ln x. */
  readonly variable: { readonly a: number; readonly aStderr: number; readonly b: number; readonly bStderr: number; readonly intercept: number; readonly slope: number };
  /** The collapse quality of each candidate variable: deviance per degree of freedom of the logistic fit on it. */
  readonly collapse: { readonly fitted: LogisticFit; readonly etaOnly: LogisticFit; readonly etaOverSigma: LogisticFit };
  /** Why the variable is not determined (NaN), when it is not. */
  readonly warning?: string;
}

export interface ClosestOptions {
  readonly Ns: readonly number[];
  readonly etas: readonly number[];
  readonly variances: readonly number[];
  /** "Near": distance to the closest solution below threshold × the typical distance. */
  readonly threshold: number;
  readonly onProgress?: (fraction: number) => void;
}

/** One grid point: the SDE ensemble (the config's runs, seed, init.seed and teacher) and its counts. */
export function closestPoint(config: Config, N: number, eta: number, variance: number, threshold: number): ClosestPoint {
  if (isOverlapInit(config.init)) throw new ConfigError('init', 'the closest-solution study draws initial overlaps at each σ² and N: give a random init ({ teacher, studentVariance, seed }), not explicit overlaps');
  const alphaMax = closestAlphaMax(eta, N, variance), sdeStep = Math.min(1, CLOSEST_ETA_STEP / eta);
  const c = parseConfig({ ...config, N, eta, alphaMax, sdeStep, savePoints: 20, ensemble: 'both', init: { ...config.init, studentVariance: variance } }, { weights: false });
  const problem = makeProblem(c);
  // The zero-loss manifold W = R W* and its distances (implicitBias.ts) are those of the mean-readout quadratic network.
  if (!isMeanQuadratic(problem.network) || problem.secondLayerRate !== undefined) throw new ConfigError('activation', 'the closest-solution study needs the quadratic network with the mean readout and a fixed second layer (activation "square", readout "mean", trainSecondLayer false): its zero-loss solutions are W = R W*');
  // Every run draws its overlaps from their law ("both"): no N-dimensional weights for the unused common ones.
  const e = simulateSdeEnsemble(problem, { initial: { overlaps: lawOverlaps(problem, 0) } });
  const ratios: number[] = [];
  for (const t of e.runs) {
    const last = t.loss.length - 1;
    if (t.status === 'completed' && t.loss[last] < CONVERGED_FRACTION * t.loss[0]) {
      const r = finalBias(t);
      if (Number.isFinite(r)) ratios.push(r);
    }
  }
  const n = ratios.length, near = ratios.filter((r) => r < threshold).length;
  const P = n ? near / n : NaN;
  const mean = n ? ratios.reduce((s, x) => s + x, 0) / n : NaN;
  const std = n > 1 ? Math.sqrt(ratios.reduce((s, x) => s + (x - mean) * (x - mean), 0) / (n - 1)) : NaN;
  return { N, eta, variance, runs: c.runs, converged: n, near, probability: P, stderr: n ? Math.sqrt((P * (1 - P)) / n) : NaN, ratioMean: mean, ratioStd: std, ratios: [...ratios].sort((u, v) => u - v), alphaMax, sdeStep };
}

/**
 * Binomial logistic regression by iteratively reweighted least squares: k_i of n_i successes,
 * logit P_i = Σ_k β_k X_ik. Standard errors from the inverse Fisher information (XᵀWX)⁻¹,
 * W = n P(1 − P); deviance 2 Σ [k ln(k/nP) + (n − k) ln((n − k)/(n(1 − P)))].
 */
export function logisticFit(X: readonly (readonly number[])[], k: readonly number[], n: readonly number[], predictors: readonly string[]): LogisticFit {
  const m = X[0].length;
  let beta = new Array<number>(m).fill(0);
  const prob = (row: readonly number[]) => 1 / (1 + Math.exp(-row.reduce((s, x, j) => s + x * beta[j], 0)));
  let info = Matrix.eye(m), converged = false;
  try {
    for (let iter = 0; iter < 100 && !converged; iter++) {
      // Newton step on the log-likelihood: (XᵀWX) δ = Xᵀ(k − nP).
      const A = Matrix.zeros(m, m), g = new Array<number>(m).fill(0);
      X.forEach((row, i) => {
        const P = prob(row), w = n[i] * P * (1 - P);
        for (let a = 0; a < m; a++) {
          g[a] += row[a] * (k[i] - n[i] * P);
          for (let b = 0; b < m; b++) A.set(a, b, A.get(a, b) + w * row[a] * row[b]);
        }
      });
      info = A;
      const delta = inverse(A).mmul(Matrix.columnVector(g)).to1DArray();
      beta = beta.map((b, j) => b + delta[j]);
      converged = Math.max(...delta.map(Math.abs)) < 1e-10;
    }
  } catch {
    converged = false; // a singular information matrix (ml-matrix's LU throws)
  }
  // Separated counts drive |β| to infinity: the steps never fall below the tolerance.
  if (!converged || !beta.every(Number.isFinite)) {
    const nan = beta.map(() => NaN);
    return { predictors, coefficients: nan, stderr: nan, covariance: nan.map(() => nan), deviance: NaN, dof: X.length - m, converged: false };
  }
  const cov = inverse(info);
  let deviance = 0;
  X.forEach((row, i) => {
    const P = prob(row), ki = k[i], ni = n[i];
    if (ki > 0) deviance += 2 * ki * Math.log(ki / (ni * P));
    if (ni - ki > 0) deviance += 2 * (ni - ki) * Math.log((ni - ki) / (ni * (1 - P)));
  });
  return { predictors, coefficients: beta, stderr: beta.map((_, j) => Math.sqrt(cov.get(j, j))), covariance: cov.to2DArray(), deviance, dof: X.length - m, converged: true };
}

/** The fitted variable x = η·(σ²)^a·N^b of a study. */
export const scalingVariable = (s: Pick<ClosestStudy, 'variable'>, q: Pick<ClosestPoint, 'eta' | 'variance' | 'N'>): number =>
  q.eta * pow(q.variance, s.variable.a) * pow(q.N, s.variable.b);

/** The collapse analysis of grid points (needs points at ≥ 2 values of η, σ² or N for each fitted exponent). */
export function collapseOf(points: readonly ClosestPoint[], threshold: number): ClosestStudy {
  const used = points.filter((q) => q.converged > 0);
  const k = used.map((q) => q.near), n = used.map((q) => q.converged);
  const lnEta = used.map((q) => Math.log(q.eta)), lnVar = used.map((q) => Math.log(q.variance)), lnN = used.map((q) => Math.log(q.N));
  const varies = (xs: number[]) => xs.some((x) => Math.abs(x - xs[0]) > 1e-12);
  // The exponents of σ² and N are fitted only where the grid varies them (else they are 0).
  const cols: [string, number[]][] = [['1', used.map(() => 1)], ['ln η', lnEta]];
  if (varies(lnVar)) cols.push(['ln σ²', lnVar]);
  if (varies(lnN)) cols.push(['ln N', lnN]);
  const design = (cs: [string, number[]][]) => used.map((_, i) => cs.map(([, c]) => c[i]));
  const fitted = logisticFit(design(cols), k, n, cols.map(([name]) => name));
  const etaOnly = logisticFit(design(cols.slice(0, 2)), k, n, ['1', 'ln η']);
  const etaOverSigma = logisticFit(design([cols[0], ['ln(η/σ)', used.map((_, i) => lnEta[i] - 0.5 * lnVar[i])]]), k, n, ['1', 'ln(η/σ)']);
  // a = β_σ²/β_η, b = β_N/β_η, with delta-method errors:
  // Var(β_j/β_η) ≈ (Var β_j − 2 r Cov(β_j, β_η) + r² Var β_η)/β_η², r = β_j/β_η.
  const bEta = fitted.coefficients[1], C = fitted.covariance;
  const ratio = (name: string) => {
    const j = fitted.predictors.indexOf(name);
    if (j < 0) return { value: 0, stderr: 0 };
    const r = fitted.coefficients[j] / bEta;
    return { value: r, stderr: Math.sqrt(Math.max(C[j][j] - 2 * r * C[j][1] + r * r * C[1][1], 0)) / Math.abs(bEta) };
  };
  const a = ratio('ln σ²'), b = ratio('ln N');
  const warning = !fitted.converged
    ? 'no logistic curve fits the counts (they are separated: all runs near below some η, none above, or too few points vary): the scaling variable is not determined; add runs or η between'
    : fitted.dof < 1 ? 'as many fitted coefficients as points: the collapse quality is not measured; add points' : undefined;
  return {
    threshold, points: [...points], ...(warning ? { warning } : {}),
    variable: { a: a.value, aStderr: a.stderr, b: b.value, bStderr: b.stderr, intercept: fitted.coefficients[0], slope: bEta },
    collapse: { fitted, etaOnly, etaOverSigma },
  };
}

/** The grid's points, then their collapse. */
export function closestSolutionStudy(config: Config, o: ClosestOptions): ClosestStudy {
  if (!(o.threshold > 0 && o.threshold < 1)) throw new ConfigError('threshold', `must be between 0 and 1 (a fraction of the typical distance; got ${o.threshold})`);
  if (config.runs < 2) throw new ConfigError('runs', `must be at least 2: a probability is estimated over the runs of each point (got ${config.runs})`);
  const points: ClosestPoint[] = [];
  const total = o.Ns.length * o.variances.length * o.etas.length;
  for (const N of o.Ns) for (const variance of o.variances) for (const eta of o.etas) {
    points.push(closestPoint(config, N, eta, variance, o.threshold));
    o.onProgress?.(points.length / total);
  }
  return collapseOf(points, o.threshold);
}
