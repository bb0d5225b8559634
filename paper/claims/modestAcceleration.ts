/**
 * Claim: over-parameterisation only modestly accelerates the escape. Decided in each regime on
 * t_esc(2p*)/t_esc(p_max) at the config's σ², t = ηα/p: it must exceed 1 (an acceleration) by more
 * than the margin and stay below 2 by more than the margin. The same ratio at every σ² of the
 * escape sweeps shows how it depends on the initialisation.
 */
import { allOf, decideAbove, decideBelow, fmt, type Check } from '../check.js';
import type { Claim } from '../claim.js';
import type { Measurements } from '../measure.js';

export const id = 'modestAcceleration';
const statement = 'over-parameterisation only modestly accelerates the escape';

export function modestAcceleration(m: Measurements): Claim {
  const pStar = m.widths.config.pStar;
  const pLow = 2 * pStar, pHigh = Math.max(...m.widths.runs.map((r) => r.p));
  const checks: Check[] = m.widths.regimes.map((regime) => {
    const t = (p: number) => m.widths.runs.find((r) => r.regime === regime && r.p === p)?.analysis.escapeTime ?? NaN;
    const ratio = t(pLow) / t(pHigh);
    return {
      id, claim: statement, regime: regime.label,
      holds: allOf(decideAbove(ratio, 1.02, 0.98), decideBelow(ratio, 1.8, 2.2)),
      criterion: `t_esc(p = ${pLow}) / t_esc(p = ${pHigh}) in t = ηα/p: holds between 1.02 and 1.8, does not hold below 0.98 or above 2.2`,
      statistic: ratio, margin: '2 % around "faster" (1) and 10 % around "less than a factor 2"',
      measured: `t_esc = ${fmt(t(pLow), 4)} (p = ${pLow}) and ${fmt(t(pHigh), 4)} (p = ${pHigh}); ratio ${fmt(ratio, 4)}`,
    };
  });
  const ps = [...new Set(m.widths.runs.map((r) => r.p))];
  const variances = m.study.variances;
  return {
    id, section: 'overparameterisation', statement, checks, figures: [], notes: [],
    tables: [
      {
        caption: `Escape time t_esc = ηα_esc/p at σ² = ${(m.widths.config.init as { studentVariance: number }).studentVariance} in each regime.`,
        head: ['p', ...m.widths.regimes.map((g) => g.label)],
        rows: ps.map((p) => [String(p), ...m.widths.regimes.map((g) => fmt(m.widths.runs.find((r) => r.regime === g && r.p === p)?.analysis.escapeTime, 4))]),
      },
      {
        caption: `The ratio t_esc(p = ${pLow}) / t_esc(p = ${pHigh}) at each σ² of the escape sweeps.`,
        head: ['regime', ...variances.map((v) => `σ² = ${v}`)],
        rows: m.sweeps.map((s) => [s.regime.label, ...variances.map((v) => {
          const at = (p: number) => s.points.find((q) => q.p === p && q.variance === v)?.escapeTime ?? NaN;
          return fmt(at(pLow) / at(pHigh), 4);
        })]),
      },
    ],
  };
}
