/**
 * Claim: the plateau is a saddle with at least one negative Hessian eigenvalue. Decided at the
 * symmetric saddle Q ∝ I, M = 0 of each width, η-independent (a property of the population
 * loss): the negative count beside its prediction p·p*, robust to the zero tolerance ×/÷ 100.
 */
import { curvesFigureSpec, hessianOf } from '../../src/index.js';
import { fmt, relativeError, theoryValue, type Check } from '../check.js';
import type { Claim } from '../claim.js';
import type { Measurements } from '../measure.js';
import { countsRobust, countsText, COUNT_MARGIN } from './hessianCounts.js';

export const id = 'saddle';
const statement = 'the plateau is a saddle with at least one negative Hessian eigenvalue';

export function saddle(m: Measurements): Claim {
  const rows = m.hessian;
  const robust = rows.every((r) => countsRobust(hessianOf(r.analysis).saddle));
  const least = Math.min(...rows.map((r) => hessianOf(r.analysis).saddle.negative));
  const predicted = rows.map((r) => r.p * r.pStar);
  const check: Check = {
    id, claim: statement, regime: 'η-independent (the loss)', holds: robust ? least >= 1 : null,
    criterion: `negative count ≥ 1 at the symmetric saddle for p = ${rows.map((r) => r.p).join(', ')}, with every eigenvalue more than ${COUNT_MARGIN}× away from the zero tolerance`,
    statistic: least, margin: `counts unchanged with the zero tolerance ×/÷ ${COUNT_MARGIN}`,
    measured: rows.map((r) => `${hessianOf(r.analysis).saddle.negative} (p = ${r.p})`).join(', '),
    prediction: predicted[0], relativeError: relativeError(hessianOf(rows[0].analysis).saddle.negative, predicted[0]),
  };
  const head = m.headline.ode.find((r) => r.regime.gradientFlow)!;
  const saddleLoss = theoryValue(head.analysis.theory, 'saddleLoss');
  const h = hessianOf(rows[0].analysis);
  return {
    id, section: 'hessian', statement, checks: [check],
    tables: [{
      caption: 'Reduced Hessian in the span of the student and teacher rows: counts negative / zero / positive, and the prediction p·p* of negative directions at the saddle (towards the teacher).',
      head: ['p, p*', 'saddle counts', 'negative predicted p·p*', 'rel. error', 'robust to tolerance ×/÷ 100', 'plateau loss of the headline run (gradient flow)', 'saddle loss (theory)', 'rel. error'],
      rows: rows.map((r, k) => [`${r.p}, ${r.pStar}`, countsText(hessianOf(r.analysis).saddle), String(predicted[k]), fmt(relativeError(hessianOf(r.analysis).saddle.negative, predicted[k])), countsRobust(hessianOf(r.analysis).saddle) ? 'yes' : 'no',
        ...(k === 0 ? [fmt(head.analysis.plateau?.loss), fmt(saddleLoss), fmt(head.analysis.plateau && saddleLoss !== undefined ? relativeError(head.analysis.plateau.loss, saddleLoss) : undefined)] : ['', '', ''])]),
    }],
    figures: [{
      name: 'hessian',
      spec: curvesFigureSpec([
        { label: 'symmetric saddle', x: h.saddle.eigenvalues.map((_, k) => k + 1), y: h.saddle.eigenvalues, points: true },
        ...(h.solution ? [{ label: 'zero-loss solution', x: h.solution.eigenvalues.map((_, k) => k + 1), y: h.solution.eigenvalues, points: true }] : []),
      ], { title: `Hessian spectra, p = ${rows[0].p}, p* = ${rows[0].pStar}`, subtitle: 'eigenvalues in ascending order', x: { title: 'index' }, y: { title: 'eigenvalue' } }),
    }],
    notes: notSaddle(head.analysis.plateau?.loss, saddleLoss, head.trajectory.loss[0]),
  };
}

/** What the headline run's plateau is, as far as its measured level tells. */
function notSaddle(plateau: number | undefined, saddleLoss: number | undefined, initial: number): string[] {
  if (plateau === undefined || saddleLoss === undefined || relativeError(plateau, saddleLoss)! <= 0.05) return [];
  const ofInitial = plateau / initial;
  return [`The headline run's plateau (ε = ${fmt(plateau)}, ${fmt(ofInitial)} of the initial loss) is not the symmetric saddle (ε = ${fmt(saddleLoss)})${ofInitial > 0.9 ? ': the run escapes from near W ≈ 0, while the norm is being learned' : ''}.`];
}
