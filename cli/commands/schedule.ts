/** `onepass schedule`: constant η against power-law and piecewise schedules at a fixed sample budget, with label noise (src/studies/schedule.ts). */
import type { Command } from 'commander';
import { odeSeconds, checkTime } from '../../src/model/budget.js';
import { scheduleStudy } from '../../src/studies/schedule.js';
import { type CommonOptions, loadConfig, prepareOut, progressBar, printJson, describe, num, parseList, withCommonOptions } from '../common.js';
import { parsePositive } from '../options.js';
import { load, provenance, lossFigureSpec, renderSvg, writeRunFolder, svgToPng } from '../library.js';

type ScheduleOptions = CommonOptions & { exponents: string; alpha0?: string; dropAt?: string; dropFactor: string };

async function cmdSchedule(opts: ScheduleOptions): Promise<void> {
  const config = loadConfig(opts);
  prepareOut(opts, false);
  const exponents = parseList('exponents', opts.exponents, false);
  const one = (name: string, raw: string | undefined) => (raw === undefined ? undefined : parsePositive(name, raw));
  const options = { exponents, alpha0: one('alpha0', opts.alpha0), dropAt: one('drop-at', opts.dropAt), dropFactor: one('drop-factor', opts.dropFactor) };
  checkTime((exponents.length + 2) * odeSeconds(config), `${exponents.length + 2} ODEs up to α = ${config.alphaMax}`, 'lower alphaMax or give fewer --exponents', opts.yes);
  const bar = progressBar('schedule study', opts);
  let study;
  try { study = scheduleStudy(config, { ...options, onProgress: bar.update }); } finally { bar.stop(); }
  const runs = study.runs.map(({ trajectory: _t, ...rest }) => rest);
  const out = { ...study, runs, ...provenance(config) };
  if (opts.json) printJson(out);
  else {
    console.log(`onepass schedule: final loss at the budget α = ${config.alphaMax} (${config.alphaMax * config.N} samples at N = ${config.N}), Δ/2 = ${config.noise / 2}; ${describe(config)}`);
    for (const r of study.runs) console.log(`  ${r.label.padEnd(34)} final loss ${num(r.finalLoss, 4).padStart(10)}   excess over Δ/2 ${num(r.excessLoss, 4).padStart(10)}${r.status === 'completed' ? '' : `   (${r.status})`}`);
    console.log(study.bestExponent === null ? 'no power law completed' : `best power law: β = ${study.bestExponent}`);
  }
  if (opts.out) {
    const csv = ['label,kind,eta,finalLoss,excessLoss,status', ...study.runs.map((r) => [JSON.stringify(r.label), r.kind, JSON.stringify(JSON.stringify(r.eta)), r.finalLoss, r.excessLoss, r.status].join(','))].join('\n') + '\n';
    const svg = await renderSvg(lossFigureSpec(study.runs.map((r) => ({ label: r.label, trajectory: r.trajectory })), `Learning-rate schedules at a budget of α = ${config.alphaMax} (Δ = ${config.noise}; η0 = ${study.runs[0].eta as number}, power laws η0 (1 + α/${study.alpha0})^−β)`, describe(config), [{ x: config.alphaMax, label: 'budget' }]));
    const files = writeRunFolder(opts.out, [['schedule.csv', csv], ['schedule.json', JSON.stringify(out, null, 1) + '\n'], ['schedule.svg', svg], ['schedule.png', svgToPng(svg)]]);
    if (!opts.json) console.log(`wrote ${files.join(', ')}`);
  }
}

export function registerSchedule(program: Command): void {
  withCommonOptions(program.command('schedule').description('constant η against power-law and piecewise schedules (ODE) at the sample budget α ≤ alphaMax, with label noise'))
    .option('--exponents <list>', 'decay exponents β of the power laws η0 (1 + α/α0)^(−β)', '0.25,0.5,0.75,1,1.5')
    .option('--alpha0 <α>', 'α0 of the power laws (default alphaMax/100)')
    .option('--drop-at <α>', 'α of the piecewise drop (default alphaMax/2)')
    .option('--drop-factor <f>', 'the piecewise schedule multiplies η by this at the drop', '0.1')
    .action(async (o: ScheduleOptions) => { await load(); return cmdSchedule(o); });
}
