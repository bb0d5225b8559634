/**
 * Claim, read literally for the loss: after the escape the loss decays at a rate per unit
 * t = ηα/p that does not depend on p, only its prefactor changing. Decided in each regime on the
 * spread (max/min) of the decay rates of the over-parameterised widths (p > p*), fitted from ½ to
 * 1/20 of the plateau level (src/analysis/plateau.ts).
 */
import { curvesFigureSpec } from '../../src/index.js';
import { decideBelow, fmt, spread, type Check } from '../check.js';
import type { Claim } from '../claim.js';
import type { Measurements, OdeRun } from '../measure.js';

export const id = 'lossDecay';
const statement = 'read literally for the loss: after the escape the loss decays at a p-independent rate in t = ηα/p, only its prefactor changing';

/** Prefactor C of ε ≈ C e^{−r t}, from the fitted line at its first point (ln C = ln ε(t₀) + r t₀). */
function prefactor(r: OdeRun): number {
  const fit = r.analysis.escapeDecay;
  if (!fit) return NaN;
  const i0 = Array.from(r.trajectory.alpha).findIndex((a) => a >= fit.fromAlpha);
  return i0 < 0 ? NaN : r.trajectory.loss[i0] * Math.exp(fit.rate * r.trajectory.alpha[i0]);
}

export function lossDecay(m: Measurements): Claim {
  const pStar = m.widths.config.pStar;
  const checks: Check[] = m.widths.regimes.map((regime) => {
    const over = m.widths.runs.filter((r) => r.regime === regime && r.p > pStar);
    const s = spread(over.map((r) => r.decayRate));
    return {
      id, claim: statement, regime: regime.label, holds: decideBelow(s - 1, 0.1, 0.2),
      criterion: `spread (max/min − 1) of the decay rates per unit t for p = ${over.map((r) => r.p).join(', ')}: holds below 10 %, does not hold above 20 %`,
      statistic: s - 1, margin: '±5 % around the former threshold of 15 %',
      measured: `rates ${over.map((r) => `${fmt(r.decayRate)} (p = ${r.p})`).join(', ')}; spread ${fmt(100 * (s - 1), 2)} %`,
    };
  });
  return {
    id, section: 'overparameterisation', statement, checks, notes: [],
    figures: [{
      name: 'loss-vs-p',
      spec: curvesFigureSpec(m.widths.runs.filter((r) => r.regime.gradientFlow || r.regime.eta === m.widths.config.eta).map((r) => ({
        label: `p = ${r.p}, ${r.regime.label}`, x: Array.from(r.trajectory.alpha, (a) => a * r.tPerAlpha), y: r.trajectory.loss,
      })), { title: `Loss for several student widths (p* = ${m.widths.config.pStar})`, subtitle: 'against the rescaled time t = ηα/p', x: { title: 't = ηα/p', log: true }, y: { title: 'population loss ε', log: true } }),
    }],
    tables: [{
      caption: 'Loss decay rate r per unit t = ηα/p right after the escape, and the prefactor C of ε ≈ C e^{−r t}, in each regime.',
      head: ['p', ...m.widths.regimes.map((g) => `r, ${g.label}`), ...m.widths.regimes.map((g) => `C, ${g.label}`)],
      rows: [...new Set(m.widths.runs.map((r) => r.p))].map((p) => {
        const runs = m.widths.regimes.map((g) => m.widths.runs.find((r) => r.regime === g && r.p === p)!);
        return [String(p), ...runs.map((r) => fmt(r.decayRate)), ...runs.map((r) => fmt(prefactor(r)))];
      }),
    }],
  };
}
