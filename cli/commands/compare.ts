/** `onepass compare`: the ODE and SGD from the same initial condition, with their deviation and its diagnosis. */
import type { Command } from 'commander';
import type { OutputProducer } from '../../src/io/files.js';
import type { LossSeries } from '../../src/plot/loss.js';
import { type SimOptions, loadConfig, prepareOut, checkWork, simSetup, runOde, runSim, workersOption, printJson, describe, fmtTime, lossTable, writeOutputs, sgdSeries, sgdCsvEntries, sgdRuns, warnIfNotCompleted, withCommonOptions, withResumeOptions } from '../common.js';
import { load, makeProblem, trajectoryJson, ensembleJson, provenance, writeTrajectoryCsv, diagnoseDeviation } from '../library.js';

async function cmdCompare(opts: SimOptions): Promise<void> {
  const config = loadConfig(opts);
  workersOption(opts.workers); // a bad --workers fails before any work
  prepareOut(opts, true); // fail before the computation, not after
  checkWork(config, opts, { ode: true, sgdRuns: config.runs });
  const setup = simSetup(config, opts); // the checkpoint too is validated before the ODE runs
  const problem = makeProblem(config);
  const { trajectory: ode, ms: odeMs } = runOde(problem, opts);
  const { ensemble, ms: simMs } = await runSim(problem, opts, setup);
  const sgd = { alpha: ensemble.alpha, loss: ensemble.lossMean };
  const { message: diagnosis, maxAbs, alphaAtMaxAbs, maxRel, points, ...where } = diagnoseDeviation(ode, { ...sgd, lossStd: ensemble.lossStd, runs: ensemble.runs.length }, { floor: config.noise / 2, time: config });
  const deviation = { maxAbs, alphaAtMaxAbs, maxRel, points, ...where, message: diagnosis };
  const result = { ode: trajectoryJson(ode), sgd: ensembleJson(ensemble), deviation, ...provenance(config) };
  if (opts.json) printJson(result);
  else {
    console.log(`onepass compare: ${describe(config)}; N = ${config.N}, ${config.runs} SGD run(s) from seed ${config.seed}`);
    console.log(`ODE: ${ode.stats.acceptedSteps} adaptive steps in ${fmtTime(odeMs)}; SGD: ${ensemble.runs.length} × ${ensemble.runs[0].stats.steps} steps in ${fmtTime(simMs)}`);
    console.log(lossTable([{ name: 'ODE loss', t: ode }, { name: 'SGD loss', t: sgd }], config));
    console.log(diagnosis);
  }
  if (opts.out) {
    const csv: OutputProducer = (write) => writeTrajectoryCsv([{ trajectory: ode, run: 0, seed: '' }, ...sgdCsvEntries(ensemble)], config, write);
    const series: LossSeries[] = [{ label: 'ODE (N → ∞)', trajectory: ode }, ...sgdSeries(ensemble, config.N)];
    const files = await writeOutputs(opts.out, result, csv, series, `ODE vs one-pass SGD at N = ${config.N}`, config, [{ prefix: 'ode_', runs: [ode] }, { prefix: 'sgd_', runs: ensemble.runs }], opts);
    if (!opts.json) console.log(`wrote ${files.join(', ')}`);
  }
  warnIfNotCompleted([{ trajectory: ode }, ...sgdRuns(ensemble)], config, ode);
  if (ode.status !== 'completed' || ensemble.runs.some((t) => t.status !== 'completed')) process.exitCode = 3;
}

export function registerCompare(program: Command): void {
  withResumeOptions(withCommonOptions(program.command('compare').description('ODE and SGD from the same initial condition, with their deviation')))
    .option('--workers <n>', 'worker threads for the runs of an ensemble (config key runs); default one per core')
    .action(async (o: SimOptions) => { await load('pool'); return cmdCompare(o); });
}
