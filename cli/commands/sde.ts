/**
 * `onepass sde`: the stochastic overlap dynamics of finite N (src/sde/), with the options, config
 * and --json schema of `onepass sim` (solver "sde"), from the same initial overlaps. The runs go
 * on the worker pool (src/io/sdePool.ts: the same trajectories) when the ensemble is long enough to
 * pay for starting the threads, else one after another in this thread.
 */
import type { Command } from 'commander';
import { type SimOptions, announceWork, loadConfig, prepareOut, workersOption, printJson, describe, fmtTime, lossTable, finishEnsemble, withCommonOptions, withResumeOptions, progressBar } from '../common.js';
import { load, makeProblem, ensembleJson, provenance } from '../library.js';
import { OnepassError } from '../../src/model/errors.js';
import { checkTime, sdeWork } from '../../src/model/budget.js';
import type { Ensemble } from '../../src/sim/ensemble.js';
import type { SdeStats } from '../../src/model/trajectory.js';
import type { Config } from '../../src/model/config.js';

/** Estimated work (seconds of one thread) below which the runs are not worth a worker pool. */
const MIN_POOL_SECONDS = 1;

async function cmdSde(opts: SimOptions): Promise<void> {
  // The SDE needs no N-dimensional weights, so N = 10⁹ is allowed (its initial overlaps are then drawn from their exact law).
  const config = loadConfig(opts, { weights: false });
  const workers = workersOption(opts.workers); // a bad --workers fails before any work
  if (opts.resume) throw new OnepassError('--resume: the SDE does not checkpoint (a run takes well under a second); run it again without --resume');
  prepareOut(opts, false);
  const problem = makeProblem(config);
  const { sdeSetup } = await import('../../src/sde/ensemble.js');
  const { steps, seconds } = sdeWork(config, sdeSetup(problem) !== null); // a bad sdeNoise fails here
  checkTime(seconds, `${steps.toPrecision(3)} SDE steps`, 'lower alphaMax or runs, or raise sdeStep', opts.yes);
  announceWork(seconds, `${steps.toPrecision(3)} SDE steps`);
  const { simulateSdeEnsembleOnPool } = await import('../../src/io/sdePool.js');
  const bar = progressBar(`SDE N=${config.N}`, opts);
  const t0 = performance.now();
  let ensemble: Ensemble<SdeStats>;
  // A pool of two costs ≈ 0.75–1.1 s of CPU more than one thread (starting the workers; measured), below ≈ 1 s of
  // work the runs stay in this thread unless --workers asks otherwise.
  const threads = workers ?? (seconds < MIN_POOL_SECONDS ? 1 : undefined);
  try { ensemble = await simulateSdeEnsembleOnPool(problem, { onProgress: bar.update, ...(threads !== undefined ? { workers: threads } : {}) }); } finally { bar.stop(); }
  const ms = performance.now() - t0;
  const result = { ...ensembleJson(ensemble), ...provenance(config) };
  if (opts.json) printJson(result);
  else {
    console.log(`onepass sde: ${describe(config)}; N = ${config.N}, ${config.runs} run(s) from seed ${config.seed}, ensemble over ${config.ensemble}`);
    console.log(`SDE: ${ensemble.runs.length} × ${ensemble.runs[0].stats.steps} Euler–Maruyama steps of α ≤ ${config.sdeStep} in ${fmtTime(ms)}`);
    console.log(lossTable([{ name: 'SDE loss', t: { alpha: ensemble.alpha, loss: ensemble.lossMean } }], config));
  }
  await finishEnsemble(opts, config, ensemble, result, 'SDE', `Stochastic overlap dynamics, N = ${config.N}`);
}

export function registerSde(program: Command): void {
  withResumeOptions(withCommonOptions(program.command('sde').description('stochastic overlap dynamics of finite N (any network, batch size and η schedule; config keys N, seed, runs, ensemble, sdeStep, sdeNoise); options and JSON as sim')))
    .option('--workers <n>', 'worker threads for the runs (config key runs); default one per core when the ensemble takes over ≈ 1 s, else this thread')
    .action(async (o: SimOptions) => { await load(); return cmdSde(o); });
}
