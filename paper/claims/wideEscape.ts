/**
 * Claim, out to wide students (issue 17): the escape α depends on the width p only through the
 * prefactor of the exponential escape. In the paper's scaling variable t = ηα/p (the time in which
 * one first-layer unit moves, src/model/time.ts) the escape time is t_esc = At·ln(1/σ²) + Bt(p):
 * the slope At = 1/(2r) is set by the escape rate r, which the linearised dynamics make
 * p-independent per unit t, and only the offset Bt (the prefactor C(p) of ‖M‖ ≈ C(p)·σ·e^{rt})
 * may depend on p. In α that reads α_esc = (p/η)(At ln(1/σ²) + Bt(p)): linear in p up to Bt.
 *
 * Decided in each regime (gradient flow, the config's η) on the spread (max/min − 1) of At over
 * the over-parameterised widths p > p* of study.wideWidths (2p* … 64 at p* = 2), from two σ² per
 * width (the line through them is exact, so its slope is the At of that width). The band is that
 * of escapeRate (5 % / 15 %), which decides the same law on p ≤ 16 with seven σ².
 */
import { curvesFigureSpec } from '../../src/index.js';
import { decideBelow, fmt, spread, type Check } from '../check.js';
import type { Claim } from '../claim.js';
import type { Measurements } from '../measure.js';

export const id = 'wideEscape';
const statement = 'the escape α depends on p only through the prefactor, out to wide students: t_esc = ηα_esc/p = At ln(1/σ²) + Bt(p) with one At for every p > p*';

export function wideEscape(m: Measurements): Claim {
  const pStar = m.widths.config.pStar;
  const variances = m.study.wideVariances;
  const checks: Check[] = m.wide.map((s) => {
    const fits = s.fits.filter((f) => f.p > pStar);
    const missing = s.points.filter((q) => q.p > pStar && q.escapeTime === null);
    const sA = spread(fits.map((f) => f.At)) - 1;
    const bs = fits.map((f) => f.Bt);
    return {
      id, claim: statement, regime: s.regime.label,
      // A width without an escape has no At: the claim is not shown there.
      holds: missing.length ? false : decideBelow(sA, 0.05, 0.15),
      criterion: `spread (max/min − 1) of At over p = ${fits.map((f) => f.p).join(', ')} (σ² = ${variances.join(', ')}): holds below 5 %, does not hold above 15 % (or when a width does not escape)`,
      statistic: sA, margin: '5 % either side of 10 %, as for p ≤ 16',
      measured: `At = ${fits.map((f) => `${fmt(f.At, 4)} (p = ${f.p})`).join(', ')}; spread ${fmt(100 * sA, 2)} %; Bt from ${fmt(Math.max(...bs), 4)} to ${fmt(Math.min(...bs), 4)}`
        + (missing.length ? `; no escape at ${missing.map((q) => `p = ${q.p}, σ² = ${q.variance}`).join('; ')}` : ''),
    };
  });
  const ps = [...new Set(m.wide[0].points.map((q) => q.p))];
  const smallest = Math.min(...variances);
  const gf = m.wide.find((s) => s.regime.gradientFlow) ?? m.wide[0];
  return {
    id, section: 'overparameterisation', statement, checks, notes: [],
    tables: [{
      caption: `Wide students: α_esc and t_esc = ηα_esc/p at σ² = ${variances.join(' and ')}, and the line t_esc = At ln(1/σ²) + Bt through them, in each regime. α_esc/p is nearly constant: the width enters through Bt alone.`,
      head: ['regime', 'p', ...variances.map((v) => `α_esc (σ² = ${v})`), ...variances.map((v) => `t_esc (σ² = ${v})`), 'At', 'Bt'],
      rows: m.wide.flatMap((s) => ps.map((p) => {
        const at = (v: number) => s.points.find((q) => q.p === p && q.variance === v);
        const f = s.fits.find((x) => x.p === p);
        return [s.regime.label, String(p), ...variances.map((v) => fmt(at(v)?.escapeAlpha, 4)), ...variances.map((v) => fmt(at(v)?.escapeTime, 4)), fmt(f?.At, 4), fmt(f?.Bt, 4)];
      })),
    }],
    figures: [
      {
        name: 'wide-escape-vs-p',
        spec: curvesFigureSpec(m.wide.flatMap((s) => variances.map((v) => {
          const pts = s.points.filter((q) => q.variance === v && q.escapeTime !== null);
          return { label: `σ² = ${v}, ${s.regime.label}`, x: pts.map((q) => q.p), y: pts.map((q) => q.escapeTime!), points: !s.regime.gradientFlow };
        })), { title: 'Escape time against the student width', subtitle: `ODE from the overlaps of random weights, p* = ${pStar}, N = ${m.widths.config.N}`, x: { title: 'student width p', log: true }, y: { title: 't_esc = η α_esc / p' } }),
      },
      {
        name: 'wide-loss-vs-t',
        spec: curvesFigureSpec(gf.points.filter((q) => q.variance === smallest && q.curve && q.curve.t.length > 1).map((q) => ({ label: `p = ${q.p}`, x: q.curve!.t.slice(1), y: q.curve!.loss.slice(1) })),
          { title: `Loss against t = ηα/p for each width (σ² = ${smallest}, ${gf.regime.label})`, subtitle: `ODE from the overlaps of random weights, p* = ${pStar}, N = ${m.widths.config.N}`, x: { title: 't = η α / p', log: true }, y: { title: 'population loss ε', log: true } }),
      },
    ],
  };
}
