/**
 * Claim: zero-loss solutions are marginal minima whose zero modes come from the symmetry.
 * Decided at the closest solution of each width, η-independent: no negative eigenvalue, and
 * the zero count equal to its prediction (manifold dimension + second-order-flat directions),
 * robust to the zero tolerance ×/÷ 100.
 */
import { fmt, relativeError, type Check } from '../check.js';
import type { Claim } from '../claim.js';
import { hessianOf } from '../../src/index.js';
import type { Measurements } from '../measure.js';
import { countsRobust, countsText, COUNT_MARGIN } from './hessianCounts.js';

export const id = 'marginalMinima';
const statement = 'zero-loss solutions are marginal minima whose zero modes come from the symmetry';

export function marginalMinima(m: Measurements): Claim {
  const rows = m.hessian.map((r) => {
    const h = hessianOf(r.analysis), e = h.expectedSolutionZeroModes;
    const expected = e ? e.manifold + e.secondOrderFlat : NaN;
    return { ...r, s: h.solution, e, expected, ok: !!h.solution && h.solution.negative === 0 && h.solution.zero === expected, robust: !!h.solution && countsRobust(h.solution) };
  });
  const check: Check = {
    id, claim: statement, regime: 'η-independent (the loss)',
    holds: rows.every((r) => r.robust) ? rows.every((r) => r.ok) : null,
    criterion: `no negative eigenvalue and zero count = manifold + second-order-flat directions, for p = ${rows.map((r) => r.p).join(', ')}, with every eigenvalue more than ${COUNT_MARGIN}× away from the zero tolerance`,
    statistic: Math.max(...rows.map((r) => (r.s ? Math.abs(r.s.zero - r.expected) + r.s.negative : NaN))),
    margin: `counts unchanged with the zero tolerance ×/÷ ${COUNT_MARGIN}`,
    measured: rows.map((r) => `${r.s?.negative} negative, ${r.s?.zero} zero (predicted ${fmt(r.expected)}; p = ${r.p})`).join('; '),
    prediction: rows[0].expected, relativeError: rows[0].s ? relativeError(rows[0].s.zero, rows[0].expected) : undefined,
  };
  return {
    id, section: 'hessian', statement, checks: [check], figures: [], notes: [],
    tables: [{
      caption: 'At the solution closest to the initialisation: counts negative / zero / positive, and the predicted zero modes.',
      head: ['p, p*', 'solution counts', 'zero modes predicted (manifold + second-order flat)', 'robust to tolerance ×/÷ 100'],
      rows: rows.map((r) => [`${r.p}, ${r.pStar}`, r.s ? countsText(r.s) : 'n/a', r.e ? `${r.e.manifold} + ${r.e.secondOrderFlat} = ${r.expected}` : 'n/a', r.robust ? 'yes' : 'no']),
    }],
  };
}
