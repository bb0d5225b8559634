/**
 * Figures of the finite-N studies, for the CLI (`escape --finite-n`, `closest`) and the reproduce
 * report alike: the SDE's escape α against ln N beside the ODE from typical finite-N overlaps
 * (src/analysis/finiteNEscape.ts), and the probability of ending near the closest solution
 * against the scaling variable (src/studies/closestSolution.ts).
 */
import type { TopLevelSpec } from 'vega-lite';
import type { FiniteNEscape } from '../analysis/finiteNEscape.js';
import { scalingVariable, type ClosestStudy, type ClosestPoint } from '../studies/closestSolution.js';
import { curvesFigureSpec, type Series } from './loss.js';

/** Mean ± sd of the SDE's α_esc against ln N per η, and the ODE from one typical draw. */
export function finiteNEscapeSpec(result: FiniteNEscape, subtitle: string): TopLevelSpec {
  const etas = [...new Set(result.points.map((q) => q.eta))];
  const series = etas.flatMap((eta): Series[] => {
    const pts = result.points.filter((q) => q.eta === eta);
    const x = pts.map((q) => Math.log(q.N));
    return [
      { label: `SDE mean ± sd, η = ${eta}`, x, y: pts.map((q) => q.mean), std: pts.map((q) => q.std), dashed: true },
      { label: `ODE from typical overlaps, η = ${eta}`, x, y: pts.map((q) => q.ode) },
    ];
  });
  return curvesFigureSpec(series, { title: 'Escape α at finite N (SDE ensembles)', subtitle, x: { title: 'ln N' }, y: { title: 'α_esc' } });
}

/** One series per (σ², N): P ± its standard error against x(q), in increasing x. */
function probabilitySeries(study: Pick<ClosestStudy, 'points'>, x: (q: ClosestPoint) => number): Series[] {
  const key = (q: ClosestPoint) => `${q.variance}|${q.N}`;
  return [...new Set(study.points.map(key))].map((k) => {
    const pts = study.points.filter((q) => key(q) === k && q.converged > 0).sort((u, v) => x(u) - x(v));
    const q0 = study.points.find((q) => key(q) === k)!;
    return { label: `σ² = ${q0.variance.toExponential(0)}, N = ${q0.N.toExponential(0)}`, x: pts.map(x), y: pts.map((q) => q.probability), std: pts.map((q) => q.stderr), points: true };
  });
}

const probabilityTitle = (s: Pick<ClosestStudy, 'threshold'>) => `P(distance to the closest solution < ${s.threshold} × typical)`;

/** P against ln x, x = η·(σ²)^a·N^b the fitted variable, with the logistic fit. */
export function closestProbabilitySpec(study: ClosestStudy, subtitle: string): TopLevelSpec {
  // Without a fitted variable (separated counts: study.warning) the points against η alone.
  if (!Number.isFinite(study.variable.a)) return closestAgainstSpec(study, 'eta', `${subtitle}; no fitted variable`);
  const lnx = (q: ClosestPoint) => Math.log(scalingVariable(study, q));
  const us = study.points.map(lnx), lo = Math.min(...us), hi = Math.max(...us);
  const grid = Array.from({ length: 60 }, (_, i) => lo + ((hi - lo) * i) / 59);
  const { a, b, intercept, slope } = study.variable;
  const fit: Series = { label: 'logistic fit', x: grid, y: grid.map((u) => 1 / (1 + Math.exp(-(intercept + slope * u)))) };
  return curvesFigureSpec([...probabilitySeries(study, lnx), fit], {
    title: probabilityTitle(study), subtitle: `${subtitle}; x = η·(σ²)^${a.toFixed(3)}·N^${b.toFixed(3)}`,
    x: { title: 'ln x' }, y: { title: 'probability (± standard error)' },
  });
}

/** P against ln(η/σ), the hint variable η·(σ²)^(−1/2), or against ln η alone; points only (no fit needed). */
export function closestAgainstSpec(study: Pick<ClosestStudy, 'threshold' | 'points'>, variable: 'eta' | 'etaOverSigma', subtitle: string): TopLevelSpec {
  const x = variable === 'eta' ? (q: ClosestPoint) => Math.log(q.eta) : (q: ClosestPoint) => Math.log(q.eta / Math.sqrt(q.variance));
  const name = variable === 'eta' ? 'ln η' : 'ln(η/σ)';
  return curvesFigureSpec(probabilitySeries(study, x), {
    title: probabilityTitle(study), subtitle: `${subtitle}; against ${variable === 'eta' ? 'η' : 'η/σ'}`, x: { title: name }, y: { title: 'probability (± standard error)' },
  });
}

/**
 * The empirical distribution of the distance ratio (distance to the closest solution / typical
 * distance) of each point's runs, with the threshold of "near" as a vertical rule: P is where a
 * curve crosses it.
 */
export function closestDistributionSpec(points: readonly ClosestPoint[], threshold: number, subtitle: string): TopLevelSpec {
  const series: Series[] = points.map((q) => ({
    label: `η = ${q.eta}, σ² = ${q.variance.toExponential(0)}, N = ${q.N.toExponential(0)} (η/σ = ${(q.eta / Math.sqrt(q.variance)).toPrecision(3)})`,
    // A step function: each ratio raises the fraction by 1/n.
    x: q.ratios.flatMap((r) => [r, r]), y: q.ratios.flatMap((_, i) => [i / q.ratios.length, (i + 1) / q.ratios.length]),
  }));
  return curvesFigureSpec(series, {
    title: 'Distance of the end point to the closest solution (SDE runs)', subtitle,
    x: { title: 'distance to the closest solution / typical distance' }, y: { title: 'fraction of runs below' },
    rules: [{ x: threshold, label: `near: < ${threshold}` }],
  });
}
