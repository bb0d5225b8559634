/** `onepass escape`: the escape time (ODE) against the student width p and the initialisation variance σ². */
import { initialEta } from '../../src/model/schedule.js';
import type { Command } from 'commander';
import { csvText } from '../../src/model/csv.js';
import { escapeSweepSeconds, checkTime } from '../../src/model/budget.js';
import { timeDefinition } from '../../src/model/time.js';
import { type CommonOptions, loadConfig, prepareOut, progressBar, printJson, describe, num, parseList, withCommonOptions } from '../common.js';
import { load, provenance, escapeSweep, escapeCsv, curvesFigureSpec, renderSvg, writeRunFolder, svgToPng } from '../library.js';

type EscapeOptions = CommonOptions & { p?: string; variances: string; scaleEta?: boolean; finiteN?: boolean; nList: string; etas?: string };

async function cmdEscape(opts: EscapeOptions): Promise<void> {
  if (opts.finiteN) return cmdFiniteN(opts);
  const config = loadConfig(opts);
  prepareOut(opts, false);
  const ps = opts.p ? parseList('p', opts.p, true) : [1, 2, 4, 8].map((k) => k * config.pStar);
  const variances = parseList('variances', opts.variances, false);
  checkTime(escapeSweepSeconds(config, ps, variances.length), `${ps.length * variances.length} ODE${ps.length * variances.length === 1 ? '' : 's'} up to α = ${config.alphaMax}`, 'lower alphaMax or give fewer --p and --variances', opts.yes);
  const bar = progressBar('escape sweep', opts);
  let result;
  try { result = escapeSweep(config, { ps, variances, scaleEta: opts.scaleEta, onProgress: bar.update }); } finally { bar.stop(); }
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
    const files = writeRunFolder(opts.out, [['escape.csv', csv], ['escape.json', JSON.stringify(out, null, 1) + '\n'], ['escape.svg', svg], ['escape.png', svgToPng(svg)]]);
    if (!opts.json) console.log(`wrote ${files.join(', ')}`);
  }
}

/** `escape --finite-n`: α_esc of SDE ensembles against ln N and η (src/analysis/finiteNEscape.ts). */
async function cmdFiniteN(opts: EscapeOptions): Promise<void> {
  const config = loadConfig(opts, { weights: false });
  prepareOut(opts, false);
  const Ns = parseList('n-list', opts.nList, false);
  const etas = opts.etas ? parseList('etas', opts.etas, false) : [initialEta(config.eta)]; // the SDE refuses a schedule (src/sde/ensemble.ts)
  const { finiteNEscape } = await import('../../src/analysis/finiteNEscape.js');
  const bar = progressBar('finite-N escape', opts);
  let result;
  try { result = finiteNEscape(config, { Ns, etas, onProgress: bar.update }); } finally { bar.stop(); }
  const out = { ...result, ...provenance(config) };
  if (opts.json) printJson(out);
  else {
    console.log(`onepass escape --finite-n: α_esc of ${config.runs} SDE run(s) (initial overlaps and noise both varied) against N and η; ${describe(config)}`);
    console.log(['η', 'N', 'α_esc mean', 'sd', 'escaped', 'ODE'].map((x) => x.padStart(11)).join(''));
    for (const q of result.points) console.log([q.eta, q.N.toExponential(0), num(q.mean), num(q.std), `${q.escaped}/${q.runs}`, num(q.ode)].map((x) => String(x).padStart(11)).join(''));
    for (const f of result.fits) console.log(`  η = ${f.eta}: mean α_esc ≈ ${num(f.slope)} ln N + ${num(f.intercept)} (${f.points} points)`);
  }
  if (opts.out) {
    // The CSV convention (src/model/csv.ts); N keeps the config key's spelling.
    const csv = csvText(['eta', 'N', 'runs', 'escaped', 'escape_alpha_mean', 'escape_alpha_std', 'ode_escape_alpha'], result.points.map((q) => [q.eta, q.N, q.runs, q.escaped, q.mean, q.std, q.ode]), new Set(['N']));
    const series = etas.flatMap((eta) => {
      const pts = result.points.filter((q) => q.eta === eta);
      const x = pts.map((q) => Math.log(q.N));
      return [
        { label: `SDE mean, η = ${eta}`, x, y: pts.map((q) => q.mean), points: true },
        { label: `SDE mean ± sd, η = ${eta}`, x: [...x, ...x], y: [...pts.map((q) => q.mean + q.std), ...pts.map((q) => q.mean - q.std)], points: true },
        { label: `ODE from typical overlaps, η = ${eta}`, x, y: pts.map((q) => q.ode) },
      ];
    });
    const svg = await renderSvg(curvesFigureSpec(series, { title: 'Escape α at finite N (SDE ensembles)', subtitle: describe(config), x: { title: 'ln N' }, y: { title: 'α_esc' } }));
    const files = writeRunFolder(opts.out, [['escape.csv', csv], ['escape.json', JSON.stringify(out, null, 1) + '\n'], ['escape.svg', svg], ['escape.png', svgToPng(svg)]]);
    if (!opts.json) console.log(`wrote ${files.join(', ')}`);
  }
}

export function registerEscape(program: Command): void {
  withCommonOptions(program.command('escape').description('sweep the escape time (ODE) over student widths p and initialisation variances σ²'))
    .option('--p <list>', 'student widths, comma-separated (default p*, 2p*, 4p*, 8p*)')
    .option('--variances <list>', 'initialisation variances σ², comma-separated', '1e-2,1e-3,1e-4,1e-5,1e-6,1e-7,1e-8')
    .option('--scale-eta', 'keep η/p at the config\'s ratio instead of η (each unit\'s step carries 1/p)')
    .option('--finite-n', 'instead: α_esc of SDE ensembles (config key runs) against N (--n-list) and η (--etas), with the ODE from typical finite-N overlaps')
    .option('--n-list <list>', 'with --finite-n: input dimensions N', '1e3,1e4,1e5,1e6,1e7,1e8,1e9')
    .option('--etas <list>', 'with --finite-n: learning rates (default the config\'s eta)')
    .action(async (o: EscapeOptions) => { await load(); return cmdEscape(o); });
}
