/** `onepass sim`: finite-N one-pass SGD, an ensemble of runs on the worker pool, with checkpoints. */
import type { Command } from 'commander';
import { type SimOptions, loadConfig, prepareOut, checkWork, simSetup, runSim, workersOption, printJson, describe, fmtTime, lossTable, finishEnsemble, withCommonOptions, withResumeOptions } from '../common.js';
import { load, makeProblem, ensembleJson, provenance } from '../library.js';

async function cmdSim(opts: SimOptions): Promise<void> {
  const config = loadConfig(opts);
  workersOption(opts.workers); // a bad --workers fails before any work
  prepareOut(opts, true); // fail before the computation, not after
  checkWork(config, opts, { ode: false, sgdRuns: config.runs });
  const setup = simSetup(config, opts);
  const problem = makeProblem(config);
  const { ensemble, ms } = await runSim(problem, opts, setup);
  const result = { ...ensembleJson(ensemble), ...provenance(config) };
  if (opts.json) printJson(result);
  else {
    console.log(`onepass sim: ${describe(config)}; N = ${config.N}, ${config.runs} run(s) from seed ${config.seed}`);
    console.log(`SGD: ${ensemble.runs.length} × ${ensemble.runs[0].stats.steps} steps in ${fmtTime(ms)}`);
    console.log(lossTable([{ name: 'SGD loss', t: { alpha: ensemble.alpha, loss: ensemble.lossMean } }], config));
  }
  await finishEnsemble(opts, config, ensemble, result, 'SGD', `One-pass SGD, N = ${config.N}`);
}

export function registerSim(program: Command): void {
  withResumeOptions(withCommonOptions(program.command('sim').description('simulate finite-N one-pass SGD (config keys N, seed, runs); with --out it checkpoints, --resume continues')))
    .option('--workers <n>', 'worker threads for the runs of an ensemble (config key runs); default one per core')
    .action(async (o: SimOptions) => { await load('pool'); return cmdSim(o); });
}
