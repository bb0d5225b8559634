/**
 * Claim: the escape time grows like A·ln(1/σ²) + B. Decided in each regime on the smallest R² of
 * the straight-line fits over the σ² of the study, for every over-parameterised width p > p*.
 */
import { curvesFigureSpec } from '../../src/index.js';
import { decideAbove, fmt, type Check } from '../check.js';
import type { Claim } from '../claim.js';
import type { Measurements } from '../measure.js';

export const id = 'escapeLog';
const statement = 'the escape time grows like A·ln(1/σ²) + B';

export function escapeLog(m: Measurements): Claim {
  const pStar = m.widths.config.pStar;
  const checks: Check[] = m.sweeps.map((s) => {
    const over = s.fits.filter((f) => f.p > pStar);
    const missing = s.points.filter((q) => q.p > pStar && q.escapeTime === null);
    const r2 = over.length ? Math.min(...over.map((f) => f.r2)) : NaN;
    return {
      id, claim: statement, regime: s.regime.label, holds: missing.length ? false : decideAbove(r2, 0.97, 0.93),
      criterion: `smallest R² of the fits for p = ${over.map((f) => f.p).join(', ')} over σ² = ${m.study.variances.join(', ')}: holds above 0.97, does not hold below 0.93 (or when a point does not escape)`,
      statistic: r2, margin: '±0.02 around the former threshold 0.95',
      measured: over.map((f) => `R² = ${fmt(f.r2, 4)} (p = ${f.p})`).join(', ') + (missing.length ? `; no escape at ${missing.map((q) => `p = ${q.p}, σ² = ${q.variance}`).join('; ')}` : ''),
    };
  });
  const shown = m.sweeps.filter((s) => s.regime.gradientFlow || s.regime.eta === m.widths.config.eta);
  return {
    id, section: 'escape-law', statement, checks, notes: [],
    tables: [{
      caption: 'Fits α_esc ≈ A ln(1/σ²) + B and t_esc ≈ At ln(1/σ²) + Bt (t = ηα/p), in each regime.',
      head: ['regime', 'p', 'A (α units)', 'B', 'At (t units)', 'Bt', 'R²'],
      rows: m.sweeps.flatMap((s) => s.fits.map((f) => [s.regime.label, String(f.p), fmt(f.A), fmt(f.B), fmt(f.At, 4), fmt(f.Bt, 4), fmt(f.r2, 4)])),
    }],
    figures: [{
      name: 'escape-vs-variance',
      spec: curvesFigureSpec(shown.flatMap((s) => [...new Set(s.points.map((q) => q.p))].map((p) => {
        const pts = s.points.filter((q) => q.p === p && q.escapeTime !== null);
        return { label: `p = ${p}, ${s.regime.label}`, x: pts.map((q) => Math.log(1 / q.variance)), y: pts.map((q) => q.escapeTime!), points: !s.regime.gradientFlow };
      })), { title: 'Escape time against the initialisation scale', subtitle: `ODE from the overlaps of random weights, N = ${m.widths.config.N}`, x: { title: 'ln(1/σ²)' }, y: { title: 't_esc = η α_esc / p' } }),
    }],
  };
}
