/**
 * Claim (issue 15, after Arnaboldi, Dandi, Krzakala et al.): at a fixed budget of samples, larger
 * mini-batches allow a larger η. Decided on the batch study (src/studies/batch.ts) of
 * paper/protocols.ts: the stability limit of each batch size, bisected on its own, against
 * n_b·η_c(1) (the batch ODE runs at η/n_b) and against the closed form η_c(n_b) = n_b/2 (T2 of
 * paper/protocols.ts); and at η = ½η_c(n_b) the time to escape and to the target loss in samples,
 * the same at every n_b up to the save grid, in steps 1/n_b of it.
 */
import { curvesFigureSpec } from '../../src/index.js';
import { decideBelow, fmt, relativeError, type Check } from '../check.js';
import type { Claim } from '../claim.js';
import type { Measurements } from '../measure.js';
import { PROTOCOLS, predictedLimit } from '../protocols.js';
import type { BatchStudyPoint } from '../../src/studies/batch.js';

export const id = 'batchSize';
const statement = 'at a fixed budget of samples larger mini-batches allow a larger η: the stability limit grows as n_b, and at the same fraction of it the time in samples does not change while the steps fall as 1/n_b';
const regime = 'batch ODE (N → ∞), p = p* = 2';

/** The limit's bracket [stable, unstable] read as its geometric middle (NaN when open). */
const limitOf = (q: BatchStudyPoint) => (q.limit.stable !== null && q.limit.unstable !== null ? Math.sqrt(q.limit.stable * q.limit.unstable) : NaN);

/**
 * The save interval holding α on this trajectory, relative to α: two linear interpolations of the
 * same monotone curve on different grids both land in the interval holding the true crossing, so
 * they differ by at most the larger interval.
 */
function gridStep(alpha: ArrayLike<number>, a: number | null): number {
  if (a === null) return NaN;
  for (let i = 1; i < alpha.length; i++) if (alpha[i] >= a) return (alpha[i] - alpha[i - 1]) / a;
  return NaN;
}

export function batchSize(m: Measurements): Claim {
  const { config, study } = m.protocols.batch;
  const pts = study.points;
  const one = pts.find((q) => q.batchSize === 1)!;
  const c1 = limitOf(one);
  const scaling = pts.map((q) => limitOf(q) / (q.batchSize * c1));
  const scaleErr = Math.max(...scaling.map((r) => Math.abs(r - 1)));
  const big = pts[pts.length - 1];
  const theoryErr = pts.map((q) => relativeError(limitOf(q), predictedLimit(q.batchSize)) ?? NaN);
  const maxTheoryErr = Math.max(...theoryErr);
  const rel = (x: number | null, y: number | null) => (x === null || y === null ? NaN : Math.abs(x / y - 1));
  const drift = Math.max(...pts.flatMap((q) => [rel(q.escapeSamples, one.escapeSamples), rel(q.targetSamples, one.targetSamples)]));
  const grid = Math.max(...pts.flatMap((q) => (q.trajectory ? [gridStep(q.trajectory.alpha, q.escapeAlpha), gridStep(q.trajectory.alpha, q.targetAlpha)] : [NaN])));
  const stepsExact = Math.max(...pts.map((q) => rel(q.escapeSteps! * q.batchSize, q.escapeSamples)));
  const checks: Check[] = [
    {
      id, claim: 'the stability limit grows in proportion to the batch size, η_c(n_b) = n_b·η_c(1)', regime,
      holds: decideBelow(scaleErr, 0.01, 0.02),
      criterion: `largest |η_c(n_b)/(n_b η_c(1)) − 1| over n_b = ${pts.map((q) => q.batchSize).join(', ')}, each limit bisected on its own: holds below 1 %, does not hold above 2 %`,
      statistic: scaleErr, margin: `each limit is bracketed to 1 %; the bisection of n_b starts from n_b·${PROTOCOLS.batch.eta}, so under the law it visits the same η/n_b at every n_b and the limits agree to rounding, and a law off by more than 1 % shows`,
      measured: pts.map((q, k) => `η_c(${q.batchSize}) ∈ [${fmt(q.limit.stable, 4)}, ${fmt(q.limit.unstable, 4)}] (ratio ${fmt(scaling[k], 4)})`).join('; '),
      prediction: big.batchSize * c1, relativeError: relativeError(limitOf(big), big.batchSize * c1),
    },
    {
      id, claim: 'the stability limit is the closed form η_c(n_b) = n_b/2 (the norm-learning fixed point disappears and the teacher fixed point loses stability at η/n_b = 1/2)', regime,
      holds: decideBelow(maxTheoryErr, 0.02, 0.05),
      criterion: 'largest relative error of the measured limit against n_b/2: holds below 2 %, does not hold above 5 %',
      statistic: maxTheoryErr, margin: 'the 1 % bisection bracket plus 1 % for the random initial overlaps, which are not exactly the isotropic states the closed form assumes',
      measured: pts.map((q, k) => `n_b = ${q.batchSize}: ${fmt(limitOf(q), 4)} (error ${fmt(100 * theoryErr[k], 2)} %)`).join('; '),
      prediction: predictedLimit(1), relativeError: relativeError(c1, predictedLimit(1)),
    },
    {
      id, claim: `at η = ${study.fraction}·η_c(n_b) the samples to escape and to loss ${study.target} do not depend on n_b (the steps fall as 1/n_b)`, regime,
      holds: decideBelow(drift, grid, 2 * grid),
      criterion: `largest relative difference of the samples (α·N) to escape and to loss ${study.target} from those of n_b = 1: holds below the largest save interval at those times (${fmt(100 * grid, 2)} % of α), does not hold above twice it`,
      statistic: drift, margin: 'the save grid: each time is interpolated between saved points (multiples of n_b/N), so two readings of the same curve differ by at most one save interval',
      measured: pts.map((q) => `n_b = ${q.batchSize}: ${fmt(q.escapeSamples, 5)} and ${fmt(q.targetSamples, 5)} samples, ${fmt(q.escapeSteps, 4)} and ${fmt(q.targetSteps, 4)} steps`).join('; ') + `; steps·n_b = samples to ${fmt(stepsExact)}`,
    },
  ];
  const ns = pts.map((q) => q.batchSize);
  const y = (f: (q: BatchStudyPoint) => number | null) => pts.map((q) => f(q) ?? NaN);
  const subtitle = `headline setup at p = p* = 2, ODE over α ≤ ${config.alphaMax}, N = ${config.N} for samples = α·N`;
  return {
    id, section: 'protocols', statement, checks,
    tables: [{
      caption: `Batch study (src/studies/batch.ts, \`onepass batch\`): the stability limit of each n_b (bisected from n_b·${PROTOCOLS.batch.eta}), η = ${study.fraction}·η_c(n_b), and the time to escape and to loss ${study.target} in α, samples (α·N, N = ${study.N}) and steps (α·N/n_b).`,
      head: ['n_b', 'η_c(n_b) bracket', 'n_b/2', 'η run', 'α_esc', 'samples', 'steps', `α at loss ${study.target}`, 'samples', 'steps'],
      rows: pts.map((q) => [String(q.batchSize), `[${fmt(q.limit.stable, 4)}, ${fmt(q.limit.unstable, 4)}]`, fmt(predictedLimit(q.batchSize), 4), fmt(q.eta, 4), fmt(q.escapeAlpha, 5), fmt(q.escapeSamples, 5), fmt(q.escapeSteps, 4), fmt(q.targetAlpha, 5), fmt(q.targetSamples, 5), fmt(q.targetSteps, 4)]),
    }],
    figures: [
      {
        name: 'batch-limit',
        spec: curvesFigureSpec([
          { label: 'stable end of the bracket', x: ns, y: pts.map((q) => (q.limit.stable ?? NaN) / predictedLimit(q.batchSize)) },
          { label: 'diverging end of the bracket', x: ns, y: pts.map((q) => (q.limit.unstable ?? NaN) / predictedLimit(q.batchSize)) },
        ], { title: 'Stability limit of each batch size over the closed form n_b/2', subtitle, x: { title: 'batch size n_b', log: true }, y: { title: 'η_c(n_b) / (n_b/2)' }, hrules: [{ y: 1, label: 'closed form' }] }),
      },
      {
        name: 'batch-times',
        spec: curvesFigureSpec([
          { label: 'escape, samples', x: ns, y: y((q) => q.escapeSamples) },
          { label: 'escape, steps', x: ns, y: y((q) => q.escapeSteps) },
          { label: `loss ${study.target}, samples`, x: ns, y: y((q) => q.targetSamples) },
          { label: `loss ${study.target}, steps`, x: ns, y: y((q) => q.targetSteps) },
        ], { title: `Time to escape and to loss ${study.target} at η = ${study.fraction}·η_c(n_b)`, subtitle, x: { title: 'batch size n_b', log: true }, y: { title: 'samples (α·N) or steps (α·N/n_b)', log: true } }),
      },
    ],
    notes: [
      `The batch ODE depends on η and n_b only through η/n_b (src/ode/protocol.ts): per unit α the gradient part scales as 1/n_b and the SGD-noise part as 1/n_b². Each bisection here starts from n_b·${PROTOCOLS.batch.eta}, not from the predicted limit. At a fixed sample budget a larger batch buys parallelism (${fmt(one.escapeSteps! / big.escapeSteps!, 3)} times fewer steps to escape at n_b = ${big.batchSize}), not samples; at finite N the law holds while n_b ≪ N (\`onepass compare --set batchSize=…\` shows the SGD side).`,
    ],
  };
}
