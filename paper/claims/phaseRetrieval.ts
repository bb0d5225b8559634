/**
 * Claim: phase retrieval (p = p* = 1): the saddle has exactly one negative direction and the
 * solution ±w* is an isolated, strict minimum, reached by the ODE. The saddle's loss 4P²/3
 * (theory.saddleLoss) stands beside the measured plateau.
 */
import { allOf, decideBelow, fmt, relativeError, theoryValue, type Check } from '../check.js';
import type { Claim } from '../claim.js';
import { hessianOf } from '../../src/index.js';
import type { Measurements } from '../measure.js';
import { countsRobust, countsText } from './hessianCounts.js';

export const id = 'phaseRetrieval';
const statement = 'phase retrieval: the saddle has exactly one negative direction and the solution ±w* is an isolated, strict minimum';

export function phaseRetrieval(m: Measurements): Claim {
  const r = m.phaseRetrieval, a = r.analysis, h = hessianOf(a);
  const countsOk = h.saddle.negative === 1 && h.saddle.zero === 0 && h.solution?.zero === 0 && h.solution?.negative === 0;
  const robust = countsRobust(h.saddle) && !!h.solution && countsRobust(h.solution);
  const saddleLoss = theoryValue(a.theory, 'saddleLoss');
  const check: Check = {
    id, claim: statement, regime: r.regime.label,
    holds: allOf(robust ? countsOk : null, decideBelow(Math.abs(a.finalLoss), 1e-10, 1e-6)),
    criterion: 'saddle counts 1 / 0 / 1 and solution counts 0 / 0 / 2 (robust to the zero tolerance ×/÷ 100), and the final loss of the ODE: holds below 10⁻¹⁰, does not hold above 10⁻⁶',
    statistic: Math.abs(a.finalLoss), margin: 'two decades either side of the former threshold 10⁻⁸',
    measured: `saddle ${countsText(h.saddle)}, solution ${h.solution ? countsText(h.solution) : 'n/a'}, final loss ${fmt(a.finalLoss)}, escape at α = ${fmt(a.escapeAlpha)}`,
  };
  return {
    id, section: 'phase-retrieval', statement, checks: [check], figures: [],
    notes: a.specialCase ? [a.specialCase] : [],
    tables: [{
      caption: `paper/phase-retrieval.json (η = ${r.regime.eta}).`,
      head: ['plateau loss (measured)', 'saddle loss 4P²/3 (theory)', 'rel. error', 'final loss', 'α_esc'],
      rows: [[fmt(a.plateau?.loss), fmt(saddleLoss), fmt(a.plateau && saddleLoss !== undefined ? relativeError(a.plateau.loss, saddleLoss) : undefined), fmt(a.finalLoss), fmt(a.escapeAlpha)]],
    }],
  };
}
