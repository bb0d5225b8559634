/**
 * `onepass closest`: the probability that finite-N SGD (its SDE, src/sde/) ends near the zero-loss
 * solution closest to its initialisation, over a grid of η, σ² and N, and the scaling variable
 * x = η·(σ²)^a·N^b on which it collapses (src/studies/closestSolution.ts).
 */
import type { Command } from 'commander';
import { csvText } from '../../src/model/csv.js';
import { checkTime } from '../../src/model/budget.js';
import { OnepassError } from '../../src/model/errors.js';
import { type CommonOptions, loadConfig, prepareOut, progressBar, printJson, describe, num, parseList, writeRunOutputs, withCommonOptions } from '../common.js';
import { load, provenance, readJsonFile } from '../library.js';

type ClosestOptions = CommonOptions & { etas: string; variances: string; nList: string; threshold: string };

/** Runs per grid point when the config does not name `runs`: a probability needs a few dozen. */
export const CLOSEST_DEFAULT_RUNS = 32;

async function cmdClosest(opts: ClosestOptions): Promise<void> {
  const raw = opts.config ? readJsonFile(opts.config) : {};
  const namesRuns = (raw !== null && typeof raw === 'object' && 'runs' in raw) || opts.set.some((kv) => /^runs=/.test(kv));
  const config = loadConfig(namesRuns ? opts : { ...opts, set: [`runs=${CLOSEST_DEFAULT_RUNS}`, ...opts.set] }, { weights: false });
  const threshold = Number(opts.threshold);
  if (!(threshold > 0 && threshold < 1)) throw new OnepassError(`--threshold: expected a number between 0 and 1, a fraction of the typical distance (got "${opts.threshold}")`);
  const etas = parseList('etas', opts.etas, false), variances = parseList('variances', opts.variances, false), Ns = parseList('n-list', opts.nList, false);
  prepareOut(opts, false);
  const { closestSolutionStudy, closestAlphaMax, scalingVariable, CLOSEST_ETA_STEP } = await import('../../src/studies/closestSolution.js');
  // ≈ 20 µs per SDE step at p = 4, p* = 2 (cli/commands/sde.ts), scaled with the covariance's size.
  const D = (config.p * (config.p + 1)) / 2 + config.p * config.pStar;
  let steps = 0;
  for (const N of Ns) for (const v of variances) for (const eta of etas) steps += config.runs * Math.ceil(closestAlphaMax(eta, N, v) / Math.min(1, CLOSEST_ETA_STEP / eta));
  checkTime(steps * 20e-6 * (D / 18) * (D / 18), `${steps.toPrecision(3)} SDE steps`, 'give fewer --etas, --variances, --n-list or runs', opts.yes);
  const bar = progressBar('closest-solution study', opts);
  let result;
  try { result = closestSolutionStudy(config, { Ns, etas, variances, threshold, onProgress: bar.update }); } finally { bar.stop(); }
  const out = { ...result, ...provenance(config) };
  const { a, aStderr, b, bStderr } = result.variable;
  const perDof = (f: { deviance: number; dof: number }) => `${num(f.deviance / f.dof, 3)} (deviance ${num(f.deviance, 3)}, ${f.dof} dof)`;
  if (opts.json) printJson(out);
  else {
    console.log(`onepass closest: P(distance to the closest solution < ${threshold} × typical) over ${config.runs} SDE run(s) per point (initial overlaps and noise both varied; η, σ², N, α_max and the SDE step set per point); ${describe(config)}`);
    console.log(['N', 'σ²', 'η', 'near/runs', 'P', '± se', 'ratio mean', 'x'].map((s) => s.padStart(11)).join(''));
    for (const q of result.points) console.log([q.N.toExponential(0), q.variance.toExponential(0), String(q.eta), `${q.near}/${q.converged}${q.converged < q.runs ? `(${q.runs})` : ''}`, num(q.probability, 3), num(q.stderr, 2), num(q.ratioMean, 3), num(scalingVariable(result, q), 3)].map((s) => s.padStart(11)).join(''));
    console.log(`scaling variable x = η·(σ²)^a·N^b with a = ${num(a, 3)} ± ${num(aStderr, 2)}, b = ${num(b, 3)} ± ${num(bStderr, 2)} (logistic regression on ln η, ln σ², ln N)`);
    console.log(`collapse (deviance per degree of freedom of a logistic curve; ≈ 1 within binomial noise): fitted x ${perDof(result.collapse.fitted)}; η alone ${perDof(result.collapse.etaOnly)}; η/σ ${perDof(result.collapse.etaOverSigma)}`);
    if (result.warning) console.error(`onepass closest: warning: ${result.warning}`);
    const skipped = result.points.filter((q) => q.converged < q.runs);
    if (skipped.length) console.error(`onepass closest: warning: ${skipped.length} point(s) have runs that did not converge by their α_max and are not counted (near/converged(runs) above)`);
  }
  if (opts.out) {
    const csv = csvText(['N', 'variance', 'eta', 'runs', 'converged', 'near', 'probability', 'stderr', 'ratio_mean', 'ratio_std', 'scaling_variable', 'alpha_max', 'sde_step'],
      result.points.map((q) => [q.N, q.variance, q.eta, q.runs, q.converged, q.near, q.probability, q.stderr, q.ratioMean, q.ratioStd, scalingVariable(result, q), q.alphaMax, q.sdeStep]), new Set(['N']));
    const { closestProbabilitySpec, closestAgainstSpec } = await import('../../src/plot/finiteN.js');
    // Short: η, σ², N and α_max are the grid's, not the config's (describe() would name the config's).
    const init = 'teacher' in config.init ? `, ${config.init.teacher} teacher` : '';
    const subtitle = `${config.activation} p = ${config.p}, p* = ${config.pStar}, Δ = ${config.noise}${init}, ${config.runs} SDE runs per point`;
    const files = await writeRunOutputs(opts.out, { tables: [['closest.csv', (write) => write(csv)]], json: ['closest.json', out], figures: [['closest', closestProbabilitySpec(result, subtitle)], ['closest-eta-over-sigma', closestAgainstSpec(result, 'etaOverSigma', subtitle)]] });
    if (!opts.json) console.log(`wrote ${files.join(', ')}`);
  }
}

export function registerClosest(program: Command): void {
  withCommonOptions(program.command('closest').description(`the probability that finite-N SGD (its SDE) ends near the zero-loss solution closest to its initialisation, over a grid of η, σ² and N (${CLOSEST_DEFAULT_RUNS} runs per point unless the config names runs), and the scaling variable x = η·(σ²)^a·N^b it collapses on`),
    'closest.csv, closest.json, closest.svg/png/pdf and closest-eta-over-sigma.svg/png/pdf')
    .option('--etas <list>', 'learning rates η', '0.02,0.05,0.1,0.2,0.5')
    .option('--variances <list>', 'initialisation variances σ²', '1e-1,1e-3,1e-5')
    .option('--n-list <list>', 'input dimensions N', '1e3,1e5,1e7')
    .option('--threshold <x>', '"near": distance to the closest solution below this fraction of the typical distance', '0.25')
    .action(async (o: ClosestOptions) => { await load(); return cmdClosest(o); });
}
