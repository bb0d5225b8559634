/** `onepass escape`: the escape time (ODE) against the student width p and the initialisation variance σ². */
import type { Command } from 'commander';
import { escapeSweepSeconds, checkTime } from '../../src/model/budget.js';
import { timeDefinition } from '../../src/model/time.js';
import { type CommonOptions, loadConfig, prepareOut, progressBar, printJson, describe, num, parseList, withCommonOptions } from '../common.js';
import { load, provenance, escapeSweep, escapeCsv, curvesFigureSpec, renderSvg, writeRunFolder, svgToPng, readJsonFile } from '../library.js';

/**
 * The study's learning rate when the config does not name one: 0.2. At the config default 0.5
 * SGD at p = p* has no saddle (theory.ts: the norm runs away; the ODE diverges), so the default
 * list p = p*, 2p*, 4p*, 8p* gave no point at p*; at 0.2 every point of the default grid escapes
 * (the slowest, p = 8p* at σ² = 10⁻⁸, at α ≈ 250, reached by extending alphaMax).
 */
export const ESCAPE_DEFAULT_ETA = 0.2;

async function cmdEscape(opts: CommonOptions & { p?: string; variances: string; scaleEta?: boolean }): Promise<void> {
  const raw = opts.config ? readJsonFile(opts.config) : {};
  const namesEta = (raw !== null && typeof raw === 'object' && 'eta' in raw) || opts.set.some((kv) => /^eta=/.test(kv));
  const config = namesEta ? loadConfig(opts) : loadConfig({ ...opts, set: [`eta=${ESCAPE_DEFAULT_ETA}`, ...opts.set] });
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
  }
  // Loudly, whatever the output mode: a dropped point changes the fits.
  if (result.warning) console.error(`onepass escape: warning: ${result.warning}`);
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

export function registerEscape(program: Command): void {
  withCommonOptions(program.command('escape').description(`sweep the escape time (ODE) over student widths p and initialisation variances σ² (η = ${ESCAPE_DEFAULT_ETA} unless the config names eta; a point not escaped by alphaMax is run on to at most 16× alphaMax; dropped points are warned about on stderr and listed under "dropped")`))
    .option('--p <list>', 'student widths, comma-separated (default p*, 2p*, 4p*, 8p*)')
    .option('--variances <list>', 'initialisation variances σ², comma-separated', '1e-2,1e-3,1e-4,1e-5,1e-6,1e-7,1e-8')
    .option('--scale-eta', 'keep η/p at the config\'s ratio instead of η (each unit\'s step carries 1/p)')
    .action(async (o: CommonOptions & { p?: string; variances: string; scaleEta?: boolean }) => { await load(); return cmdEscape(o); });
}
