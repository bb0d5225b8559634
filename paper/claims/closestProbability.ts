/**
 * Beyond the paper (issue 16): the probability that finite-N SGD (its SDE) ends near the solution
 * closest to its initialisation depends on η alone, not on σ² or N, and in particular not on
 * η/σ (the variable η·(σ²)^(−1/2) the issue suggested): the full grid of `onepass closest`
 * (src/studies/closestSolution.ts) fits x = η·(σ²)^a·N^b with a and b near 0; here three points
 * decide it cheaply: two at the same η with σ² and N far apart (independent streams), one at the
 * same η/σ as the first.
 */
import { allOf, decideBelow, decideAbove, fmt, type Check } from '../check.js';
import type { Claim } from '../claim.js';
import { CLOSEST_THRESHOLD, type Measurements } from '../measure.js';
import type { ClosestPoint } from '../../src/studies/closestSolution.js';
import { closestDistributionSpec } from '../../src/plot/finiteN.js';

export const id = 'closestProbability';
const statement = 'the probability of ending near the closest solution depends on η, not on σ² or N, and not on η/σ';

/** |P_u − P_v| in standard errors of the difference (1/runs keeps it above 0 when both are 0 or 1). */
const z = (u: ClosestPoint, v: ClosestPoint) => Math.abs(u.probability - v.probability) / Math.hypot(u.stderr, v.stderr, 1 / u.runs);
const label = (q: ClosestPoint) => `η = ${q.eta}, σ² = ${q.variance.toExponential(0)}, N = ${q.N.toExponential(0)}`;
const shown = (q: ClosestPoint) => `P = ${fmt(q.probability)} ± ${fmt(q.stderr, 2)} (${q.near}/${q.converged})`;

export function closestProbability(m: Measurements): Claim {
  const [a, b, c] = m.finiteN.closest;
  const runs = a.runs;
  const converged = m.finiteN.closest.every((q) => q.converged === q.runs);
  const zEta = z(a, b), zHint = z(a, c);
  const regime = `SDE, ${runs} runs per point, headline setup`;
  const checks: Check[] = [
    {
      id, claim: 'at equal η the probability is the same whatever σ² and N', regime,
      holds: allOf(converged, decideBelow(zEta, 2, 3)),
      criterion: `|P₁ − P₂| over its standard error, (${label(a)}) against (${label(b)}), independent streams: holds below 2, does not hold above 3`,
      statistic: zEta, margin: 'between 2 and 3 standard errors a real difference and a fluctuation cannot be told apart with these runs',
      measured: `${shown(a)} and ${shown(b)}`,
    },
    {
      id, claim: 'at equal η/σ (the hint η·(σ²)^(−1/2)) the probability differs: η/σ is not the variable', regime,
      holds: allOf(converged, a.probability > c.probability ? decideAbove(zHint, 3, 2) : false),
      criterion: `|P₁ − P₃| over its standard error, (${label(a)}) against (${label(c)}), the same η/σ = ${fmt(a.eta / Math.sqrt(a.variance))}: holds above 3 with the smaller η nearer, does not hold below 2`,
      statistic: zHint, margin: 'as above, on the other side',
      measured: `${shown(a)} and ${shown(c)}`,
    },
  ];
  return {
    id, section: 'finite-n', statement, checks,
    notes: [
      `"Near": the final distance to the zero-loss solution closest to the run's initialisation below ${CLOSEST_THRESHOLD} of the typical distance (src/analysis/implicitBias.ts); runs from initial overlaps drawn from their exact law, each to α = (30 + 2 ln(N/σ²))/η with the SDE step ∝ 1/η. Mean distance ratio ${m.finiteN.closest.map((q) => `${fmt(q.ratioMean)} (${label(q)})`).join(', ')}. The grid of \`onepass closest\` (README) measures the whole curve and the exponents of σ² and N.`,
    ],
    tables: [{
      caption: `Probability of ending within ${CLOSEST_THRESHOLD} × the typical distance of the closest solution, ${runs} SDE runs per point.`,
      head: ['η', 'σ²', 'N', 'η/σ', 'near / converged', 'P ± se', 'mean distance ratio'],
      rows: m.finiteN.closest.map((q) => [String(q.eta), q.variance.toExponential(0), q.N.toExponential(0), fmt(q.eta / Math.sqrt(q.variance)), `${q.near}/${q.converged}`, `${fmt(q.probability)} ± ${fmt(q.stderr, 2)}`, fmt(q.ratioMean)]),
    }],
    figures: [{ name: 'closest-probability', spec: closestDistributionSpec(m.finiteN.closest, CLOSEST_THRESHOLD, `headline setup (p = 4, p* = 2), ${runs} SDE runs per point; the first two share η, the first and last η/σ`) }],
  };
}
