/** `onepass ode`: integrate the overlap ODEs (N → ∞) for one config. */
import type { Command } from 'commander';
import { type CommonOptions, loadConfig, prepareOut, checkWork, runOde, printJson, describe, fmtTime, lossTable, writeOutputs, warnIfNotCompleted, withCommonOptions } from '../common.js';
import { load, makeProblem, trajectoryJson, provenance, writeTrajectoryCsv } from '../library.js';

async function cmdOde(opts: CommonOptions): Promise<void> {
  const config = loadConfig(opts);
  prepareOut(opts, false); // fail before the computation, not after
  checkWork(config, opts, { ode: true, sgdRuns: 0 });
  const problem = makeProblem(config);
  const { trajectory, ms } = runOde(problem, opts);
  const result = { ...trajectoryJson(trajectory), ...provenance(config) };
  if (opts.json) printJson(result);
  else {
    console.log(`onepass ode: ${describe(config)}`);
    console.log(`ODE: ${trajectory.stats.acceptedSteps} steps, ${trajectory.stats.rhsEvaluations} evaluations in ${fmtTime(ms)}; ${trajectory.message}`);
    console.log(lossTable([{ name: 'ODE loss', t: trajectory }], config));
  }
  if (opts.out) {
    const files = await writeOutputs(opts.out, result, (write) => writeTrajectoryCsv([{ trajectory, run: 0, seed: '' }], config, write), [{ label: 'ODE (N → ∞)', trajectory }], 'Overlap ODE', config, [{ prefix: '', runs: [trajectory] }], opts);
    if (!opts.json) console.log(`wrote ${files.join(', ')}`);
  }
  warnIfNotCompleted([{ trajectory }], config, trajectory);
  if (trajectory.status !== 'completed') process.exitCode = 3;
}

export function registerOde(program: Command): void {
    withCommonOptions(program.command('ode').description('integrate the overlap ODEs (N → ∞)')).action(async (o: CommonOptions) => { await load(); return cmdOde(o); });
}
