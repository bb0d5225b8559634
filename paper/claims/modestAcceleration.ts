/**
 * Claim: over-parameterisation only modestly accelerates the escape. Decided in each regime on
 * t_esc(2p*)/t_esc(p_max) at the config's σ², t = ηα/p: it must exceed 1 (an acceleration) by more
 * than the margin and stay below 2 by more than the margin. The same ratio at every σ² of the
 * escape sweeps shows how it depends on the initialisation.
 */
import { analyzeLossCurve, firstCrossing } from '../../src/index.js';
import { allOf, decideAbove, decideBelow, fmt, relativeError, theoryValue, type Check } from '../check.js';
import type { Claim } from '../claim.js';
import type { Measurements, OdeRun } from '../measure.js';

/** Fractions of the plateau level at which the escape is read besides ½ (the definition of src/analysis/plateau.ts). */
const LEVELS = [0.9, 0.5, 0.25, 0.1];

/** t at which the loss first falls below `fraction` of its reference level (plateau, else initial loss). */
function tAtLevel(r: OdeRun, fraction: number): number {
  const { alpha, loss } = r.trajectory;
  const a = analyzeLossCurve(alpha, loss);
  const c = firstCrossing(alpha, loss, a.plateau?.startAlpha ?? 0, a.referenceLoss * fraction);
  return c ? c.alpha * r.tPerAlpha : NaN;
}

/** The escape time predicted from the initial overlaps (theory.escapeAlpha, once src/analysis derives it), in t. */
const predictedT = (r: OdeRun | undefined) => { const a = r && theoryValue(r.analysis.theory, 'escapeAlpha'); return a === undefined ? undefined : a * r!.tPerAlpha; };

export const id = 'modestAcceleration';
const statement = 'over-parameterisation only modestly accelerates the escape';

export function modestAcceleration(m: Measurements): Claim {
  const pStar = m.widths.config.pStar;
  const pLow = 2 * pStar, pHigh = Math.max(...m.widths.runs.map((r) => r.p));
  const checks: Check[] = m.widths.regimes.map((regime) => {
    const run = (p: number) => m.widths.runs.find((r) => r.regime === regime && r.p === p);
    const t = (p: number) => run(p)?.analysis.escapeTime ?? NaN;
    const ratio = t(pLow) / t(pHigh);
    const lo = predictedT(run(pLow)), hi = predictedT(run(pHigh));
    const prediction = lo !== undefined && hi !== undefined ? lo / hi : undefined;
    return {
      ...(prediction === undefined ? {} : { prediction, relativeError: relativeError(ratio, prediction) }),
      id, claim: statement, regime: regime.label,
      holds: allOf(decideAbove(ratio, 1.02, 0.98), decideBelow(ratio, 1.8, 2.2)),
      criterion: `t_esc(p = ${pLow}) / t_esc(p = ${pHigh}) in t = ηα/p: holds between 1.02 and 1.8, does not hold below 0.98 or above 2.2`,
      statistic: ratio, margin: '2 % around "faster" (1) and 10 % around "less than a factor 2"',
      measured: `t_esc = ${fmt(t(pLow), 4)} (p = ${pLow}) and ${fmt(t(pHigh), 4)} (p = ${pHigh}); ratio ${fmt(ratio, 4)}`,
    };
  });
  const ps = [...new Set(m.widths.runs.map((r) => r.p))];
  const variances = m.study.variances;
  const byLevel = m.widths.regimes.map((g) => {
    const run = (p: number) => m.widths.runs.find((r) => r.regime === g && r.p === p)!;
    return LEVELS.map((f) => tAtLevel(run(pLow), f) / tAtLevel(run(pHigh), f));
  });
  const all = byLevel.flat().filter(Number.isFinite);
  const predicted = m.widths.runs.some((r) => predictedT(r) !== undefined);
  return {
    id, section: 'overparameterisation', statement, checks, figures: [],
    notes: all.length ? [`Read at other fractions of the plateau level the ratio ranges from ${fmt(Math.min(...all), 3)} to ${fmt(Math.max(...all), 3)} over the regimes: ${Math.min(...all) < 1 ? 'read at the very start of the escape, the wider student is not faster everywhere' : 'the wider student escapes first however the escape is read'}.`] : [],
    tables: [
      {
        caption: `Escape time t_esc = ηα_esc/p at σ² = ${(m.widths.config.init as { studentVariance: number }).studentVariance} in each regime.`,
        head: ['p', ...m.widths.regimes.map((g) => g.label)],
        rows: ps.map((p) => [String(p), ...m.widths.regimes.map((g) => {
          const r = m.widths.runs.find((q) => q.regime === g && q.p === p);
          const pred = predictedT(r);
          return fmt(r?.analysis.escapeTime, 4) + (predicted ? ` (predicted ${fmt(pred, 4)}, rel. error ${fmt(relativeError(r?.analysis.escapeTime ?? NaN, pred))})` : '');
        })]),
      },
      {
        caption: `The ratio t_esc(p = ${pLow}) / t_esc(p = ${pHigh}) with the escape read where the loss first falls below a fraction of its plateau level (the decision uses ½).`,
        head: ['regime', ...LEVELS.map((f) => `${f} of the plateau`)],
        rows: m.widths.regimes.map((g, k) => [g.label, ...byLevel[k].map((x) => fmt(x, 4))]),
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
