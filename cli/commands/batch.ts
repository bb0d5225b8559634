/** `onepass batch`: time to escape and to a target loss against the mini-batch size, η a fraction of each batch size's stability limit (src/studies/batch.ts). */
import type { Command } from 'commander';
import { odeSeconds, checkTime } from '../../src/model/budget.js';
import { batchStudy, type BatchStudy } from '../../src/studies/batch.js';
import { type CommonOptions, loadConfig, prepareOut, progressBar, printJson, describe, num, parseList, withCommonOptions } from '../common.js';
import { load, provenance, curvesFigureSpec, renderSvg, writeRunFolder, svgToPng } from '../library.js';
import { parsePositive } from '../options.js';

type BatchOptions = CommonOptions & { batchSizes: string; fraction: string; target: string };

/** Bisection steps per batch size (≈ 2 doublings + log₂(ln 2 / ln 1.01) ≈ 6 halvings, and margin). */
const SOLVES_PER_BATCH = 16;

async function cmdBatch(opts: BatchOptions): Promise<void> {
  const config = loadConfig(opts);
  prepareOut(opts, false);
  const batchSizes = parseList('batch-sizes', opts.batchSizes, true);
  const fraction = parsePositive('fraction', opts.fraction);
  const target = parsePositive('target', opts.target);
  checkTime(batchSizes.length * SOLVES_PER_BATCH * odeSeconds(config), `${batchSizes.length} stability bisections and ODEs up to α = ${config.alphaMax}`, 'lower alphaMax or give fewer --batch-sizes', opts.yes);
  const bar = progressBar('batch study', opts);
  let study: BatchStudy;
  try { study = batchStudy(config, { batchSizes, fraction, target, onProgress: bar.update }); } finally { bar.stop(); }
  const points = study.points.map(({ trajectory: _t, ...rest }) => rest);
  const out = { ...study, points, ...provenance(config) };
  if (opts.json) printJson(out);
  else {
    console.log(`onepass batch: η = ${fraction} × the stability limit of each batch size n_b (over α ≤ ${config.alphaMax}); target loss ${target}; N = ${config.N}; ${describe(config)}`);
    console.log(['n_b', 'η_c(n_b)', 'η', 'α_esc', 'samples', 'steps', 'α_target', 'samples', 'steps'].map((s) => s.padStart(11)).join(''));
    const cell = (x: number | null, d = 4) => (x === null ? '—' : num(x, d));
    for (const p of study.points) console.log([String(p.batchSize), cell(p.limit.stable), cell(p.eta), cell(p.escapeAlpha), cell(p.escapeSamples), cell(p.escapeSteps), cell(p.targetAlpha), cell(p.targetSamples), cell(p.targetSteps)].map((s) => s.padStart(11)).join(''));
    console.log('samples = α·N, steps = α·N/n_b (α counts samples/N); the batch ODE depends on η/n_b only, so η_c ∝ n_b and the time in samples is the same at every n_b');
    for (const p of study.points.filter((q) => q.status !== 'completed')) console.log(`  n_b = ${p.batchSize}: ${p.status}`);
  }
  if (opts.out) {
    const cols = ['batchSize', 'etaLimit', 'eta', 'escapeAlpha', 'escapeSamples', 'escapeSteps', 'targetAlpha', 'targetSamples', 'targetSteps', 'finalLoss', 'status'];
    const csv = [cols.join(','), ...study.points.map((p) => [p.batchSize, p.limit.stable ?? '', p.eta ?? '', p.escapeAlpha ?? '', p.escapeSamples ?? '', p.escapeSteps ?? '', p.targetAlpha ?? '', p.targetSamples ?? '', p.targetSteps ?? '', p.finalLoss ?? '', JSON.stringify(p.status)].join(','))].join('\n') + '\n';
    const x = study.points.map((p) => p.batchSize);
    const y = (f: (p: BatchStudy['points'][number]) => number | null) => study.points.map((p) => f(p) ?? NaN);
    const series = [
      { label: 'escape, samples', x, y: y((p) => p.escapeSamples) },
      { label: 'escape, steps', x, y: y((p) => p.escapeSteps) },
      { label: `loss ${target}, samples`, x, y: y((p) => p.targetSamples) },
      { label: `loss ${target}, steps`, x, y: y((p) => p.targetSteps) },
    ];
    const svg = await renderSvg(curvesFigureSpec(series, { title: `Time to escape and to loss ${target} against the batch size (η = ${fraction} η_c(n_b))`, subtitle: describe(config), x: { title: 'batch size n_b', log: true }, y: { title: 'samples (α·N) or steps (α·N/n_b)', log: true } }));
    const files = writeRunFolder(opts.out, [['batch.csv', csv], ['batch.json', JSON.stringify(out, null, 1) + '\n'], ['batch.svg', svg], ['batch.png', svgToPng(svg)]]);
    if (!opts.json) console.log(`wrote ${files.join(', ')}`);
  }
}

export function registerBatch(program: Command): void {
  withCommonOptions(program.command('batch').description('time to escape and to a target loss (ODE) against the mini-batch size, η a fraction of each batch size\'s stability limit'))
    .option('--batch-sizes <list>', 'batch sizes n_b, comma-separated', '1,2,4,8,16,32')
    .option('--fraction <f>', 'η as this fraction of the stability limit of each n_b', '0.5')
    .option('--target <loss>', 'target loss whose first crossing is reported', '1e-3')
    .action(async (o: BatchOptions) => { await load(); return cmdBatch(o); });
}
