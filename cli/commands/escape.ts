/** `onepass escape`: the escape time (ODE) against the student width p and the initialisation variance σ². */
import type { Command } from 'commander';
import { escapeSweepSeconds, checkTime, estimateNote } from '../../src/model/budget.js';
import { timeDefinition } from '../../src/model/time.js';
import { type CommonOptions, loadConfig, prepareOut, progressBar, printJson, describe, num, parseList, withCommonOptions } from '../common.js';
import { load, provenance, escapeSweep, escapeCsv, curvesFigureSpec, renderSvg, writeRunFolder, svgToPng } from '../library.js';

async function cmdEscape(opts: CommonOptions & { p?: string; variances: string; scaleEta?: boolean }): Promise<void> {
  const config = loadConfig(opts);
  prepareOut(opts, false);
  const ps = opts.p ? parseList('p', opts.p, true) : [1, 2, 4, 8].map((k) => k * config.pStar);
  const variances = parseList('variances', opts.variances, false);
  const escapeWork = `${ps.length * variances.length} ODE${ps.length * variances.length === 1 ? '' : 's'} up to α = ${config.alphaMax}`;
  const escapeSeconds = escapeSweepSeconds(config, ps, variances.length);
  checkTime(escapeSeconds, escapeWork, 'lower alphaMax or give fewer --p and --variances', opts.yes);
  const note = estimateNote(escapeSeconds, escapeWork);
  const bar = progressBar('escape sweep', opts);
  let result;
  try { result = escapeSweep(config, { ps, variances, scaleEta: opts.scaleEta, onProgress: bar.update, onValidated: () => { if (note && opts.progress) process.stderr.write(`${note}\n`); } }); } finally { bar.stop(); }
  const out = { ...result, ...provenance(config) };
  if (opts.json) printJson(out);
  else {
    console.log(`onepass escape: α_esc (ODE) against p and σ²; ${describe(config)}${opts.scaleEta ? ' (η/p kept fixed)' : ''}; N = ${config.N} for the initial weights`);
    console.log(['p \\ σ²', ...variances.map((v) => v.toExponential())].map((s) => s.padStart(9)).join(''));
    for (const p of ps) console.log([String(p), ...result.points.filter((q) => q.p === p).map((q) => (q.escapeAlpha === null ? '—' : q.escapeAlpha.toFixed(2)))].map((s) => s.padStart(9)).join(''));
    console.log(`fit α_esc ≈ A ln(1/σ²) + B, and in ${timeDefinition(config)}: t_esc ≈ At ln(1/σ²) + Bt`);
    for (const f of result.fits) console.log(`  p = ${String(f.p).padStart(3)}: A = ${num(f.A)}, B = ${num(f.B)}; At = ${num(f.At)}, Bt = ${num(f.Bt)} (R² ${num(f.r2, 3)}, ${f.points} points)`);
    const failed = result.points.filter((q) => q.status !== 'ok');
    for (const q of failed) console.log(`  p = ${q.p}, σ² = ${q.variance}: ${q.status}`);
  }
  if (opts.out) {
    const csv = escapeCsv(result.points);
    const series = ps.map((p) => {
      const pts = result.points.filter((q) => q.p === p && q.escapeAlpha !== null);
      return { label: `p = ${p}`, x: pts.map((q) => Math.log(1 / q.variance)), y: pts.map((q) => q.escapeTime!) };
    });
    const svg = await renderSvg(curvesFigureSpec(series, { title: 'Escape time against the initialisation scale', subtitle: describe(config), x: { title: 'ln(1/σ²)' }, y: { title: `t_esc (${timeDefinition(config)})` } }));
    // The loss curves against t (src/model/time.ts: ηα/p for the mean readout), one per p at the smallest σ².
    const smallest = Math.min(...variances);
    const curveSeries = ps.flatMap((p) => result.points.filter((q) => q.p === p && q.variance === smallest && q.curve !== undefined && q.curve.t.length > 1)
      .map((q) => ({ label: `p = ${p}`, x: q.curve!.t.slice(1), y: q.curve!.loss.slice(1) })));
    const curvesSvg = await renderSvg(curvesFigureSpec(curveSeries, { title: `Loss against ${timeDefinition(config)} (σ² = ${smallest})`, subtitle: describe(config), x: { title: timeDefinition(config), log: true }, y: { title: 'population loss ε', log: true } }));
    const files = writeRunFolder(opts.out, [['escape.csv', csv], ['escape.json', JSON.stringify(out, null, 1) + '\n'], ['escape.svg', svg], ['escape.png', svgToPng(svg)], ['escape-curves.svg', curvesSvg], ['escape-curves.png', svgToPng(curvesSvg)]]);
    if (!opts.json) console.log(`wrote ${files.join(', ')}`);
  }
}

export function registerEscape(program: Command): void {
  withCommonOptions(program.command('escape').description('sweep the escape time (ODE) over student widths p and initialisation variances σ²'))
    .option('--p <list>', 'student widths, comma-separated (default p*, 2p*, 4p*, 8p*)')
    .option('--variances <list>', 'initialisation variances σ², comma-separated', '1e-2,1e-3,1e-4,1e-5,1e-6,1e-7,1e-8')
    .option('--scale-eta', 'keep η/p at the config\'s ratio instead of η (each unit\'s step carries 1/p)')
    .action(async (o: CommonOptions & { p?: string; variances: string; scaleEta?: boolean }) => { await load(); return cmdEscape(o); });
}
