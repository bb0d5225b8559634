/**
 * Figures that put the quadratic network's theory (analysis/theory.ts) beside the measurement:
 * dashed prediction curves for the loss figure, and the Hessian's spectrum along the run
 * (analysis/hessian.ts, hessianParts) with the escape marked.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { SetupAnalysis } from '../analysis/analyze.js';
import { curvesFigureSpec, type Series, type FigureOptions } from './loss.js';
import { pow } from '../math/pow.js';

/**
 * Dashed predictions over the α range of a loss curve: the saddle's loss (gradient flow), and the
 * tail law from where the measured tail fit starts (p > p*: A α^{−k} with the theory's own
 * prefactor; p = p*: the theory's rate, anchored at the measured loss at that α). The predicted
 * escape is a rule (theoryRules).
 */
export function theoryLossSeries(a: Pick<SetupAnalysis, 'theory' | 'finalDecay' | 'escapeAlpha'>, curve: { alpha: ArrayLike<number>; loss: ArrayLike<number> }): Series[] {
  const n = curve.alpha.length;
  const lo = curve.alpha[1] ?? curve.alpha[0], hi = curve.alpha[n - 1];
  const out: Series[] = [{ label: 'saddle (theory)', x: [lo, hi], y: [a.theory.saddleLoss, a.theory.saddleLoss], dashed: true }];
  const tail = a.theory.tail;
  const from = a.finalDecay?.fromAlpha ?? a.escapeAlpha;
  if (tail && from !== null && from > 0) {
    const xs = Array.from({ length: 60 }, (_, i) => from * pow(hi / from, i / 59));
    if (tail.law === 'power') out.push({ label: `α^−${tail.exponent} tail (theory)`, x: xs, y: xs.map((x) => tail.prefactor * pow(x, -tail.exponent)), dashed: true });
    else {
      let i0 = 0;
      while (i0 < n - 1 && curve.alpha[i0] < from) i0++;
      const c = curve.loss[i0] * Math.exp(tail.rate * curve.alpha[i0]);
      out.push({ label: 'exp. tail (theory)', x: xs, y: xs.map((x) => c * Math.exp(-tail.rate * x)), dashed: true });
    }
  }
  return out;
}

/** The measured escape and the predicted one, as vertical rules. */
export function theoryRules(a: Pick<SetupAnalysis, 'theory' | 'escapeAlpha'>): NonNullable<FigureOptions['rules']> {
  const rules: { x: number; label: string }[] = [];
  if (a.escapeAlpha !== null) rules.push({ x: a.escapeAlpha, label: 'α_esc' });
  if (a.theory.escapeAlpha !== null) rules.push({ x: a.theory.escapeAlpha, label: 'α_esc (theory)' });
  return rules;
}

/**
 * The Hessian's eigenvalues against α (log axis): the full reduced Hessian, its Gauss–Newton and
 * residual parts, and the outside block, each as a cloud of points, with the escape marked.
 */
export function hessianTrajectorySpec(a: Pick<SetupAnalysis, 'theory' | 'escapeAlpha'> & { readonly hessian: NonNullable<SetupAnalysis['hessian']> }, subtitle: string): TopLevelSpec {
  const h = a.hessian.trajectory;
  const cloud = (label: string, values: number[][]): Series => {
    const x: number[] = [], y: number[] = [];
    h.alpha.forEach((al, i) => { for (const v of values[i]) { x.push(al); y.push(v); } });
    return { label, x, y, points: true };
  };
  return curvesFigureSpec(
    [cloud('Hessian (reduced)', h.hessian), cloud('Gauss–Newton part', h.gaussNewton), cloud('residual part', h.residual), cloud('outside block', h.outside)],
    {
      title: 'Hessian spectrum along the run',
      subtitle: [subtitle, 'small negative eigenvalues off the fixed points (~√ε) come from the residual part E[e ∇²e], next to a manifold of marginal minima'] as unknown as string,
      x: { title: 'α = samples / N', log: true },
      y: { title: 'eigenvalue' },
      rules: theoryRules(a),
    },
  );
}
