/** `onepass escape`: the escape time (ODE) against the student width p and the initialisation variance σ². */
import { initialEta } from '../../src/model/schedule.js';
import type { Command } from 'commander';
import { csvText } from '../../src/model/csv.js';
import { escapeSweepSeconds, checkTime, estimateNote } from '../../src/model/budget.js';
import { timeDefinition } from '../../src/model/time.js';
import { type CommonOptions, loadConfig, prepareOut, progressBar, printJson, describe, num, parseList, writeRunOutputs, withCommonOptions, figureSubtitle } from '../common.js';
import { load, provenance, escapeSweep, escapeCsv, curvesFigureSpec, readJsonFile } from '../library.js';
import { axesOf, parsePlotScale } from '../../src/plot/scale.js';

type EscapeOptions = CommonOptions & { p?: string; variances: string; scaleEta?: boolean; finiteN?: boolean; nList: string; etas?: string };

/**
 * The study's learning rate when the config does not name one: 0.2. At the config default 0.5
 * SGD at p = p* has no saddle (theory.ts: the norm runs away; the ODE diverges), so the default
 * list p = p*, 2p*, 4p*, 8p* gave no point at p*; at 0.2 every point of the default grid escapes
 * (the slowest, p = 8p* at σ² = 10⁻⁸, at α ≈ 250, reached by extending alphaMax).
 */
export const ESCAPE_DEFAULT_ETA = 0.2;

async function cmdEscape(opts: EscapeOptions): Promise<void> {
  if (opts.finiteN) return cmdFiniteN(opts);
  const raw = opts.config ? readJsonFile(opts.config) : {};
  const namesEta = (raw !== null && typeof raw === 'object' && 'eta' in raw) || opts.set.some((kv) => /^eta=/.test(kv));
  const config = namesEta ? loadConfig(opts) : loadConfig({ ...opts, set: [`eta=${ESCAPE_DEFAULT_ETA}`, ...opts.set] });
  prepareOut(opts, false);
  const ps = opts.p !== undefined ? parseList('p', opts.p, true) : [1, 2, 4, 8].map((k) => k * config.pStar);
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
    // A line through α_esc against ln(1/σ²) needs two σ²: with one, the table above is the answer, and the fit says why it is absent.
    if (variances.length < 2) console.log(`no fit α_esc ≈ A ln(1/σ²) + B: a line needs at least 2 variances (--variances gave 1)`);
    else {
      console.log(`fit α_esc ≈ A ln(1/σ²) + B, and in ${timeDefinition(config)}: t_esc ≈ At ln(1/σ²) + Bt`);
      for (const p of ps) {
        const f = result.fits.find((g) => g.p === p);
        const measured = result.points.filter((q) => q.p === p && q.escapeAlpha !== null).length;
        console.log(f ? `  p = ${String(f.p).padStart(3)}: A = ${num(f.A)}, B = ${num(f.B)}; At = ${num(f.At)}, Bt = ${num(f.Bt)} (R² ${num(f.r2, 3)}, ${f.points} points)`
          : `  p = ${String(p).padStart(3)}: no fit (α_esc measured at ${measured} of ${variances.length} variances; a line needs 2)`);
      }
    }
  }
  // Loudly, whatever the output mode: a dropped point changes the fits.
  if (result.warning) console.error(`onepass escape: warning: ${result.warning}`);
  if (opts.out) {
    const csv = escapeCsv(result.points);
    const series = ps.map((p) => {
      const pts = result.points.filter((q) => q.p === p && q.escapeAlpha !== null);
      return { label: `p = ${p}`, x: pts.map((q) => Math.log(1 / q.variance)), y: pts.map((q) => q.escapeTime!) };
    });
    // ln(1/σ²) is already a log scale: linear axes unless --plot-scale says otherwise.
    const { xLog, yLog } = axesOf(opts.plotScale === undefined ? 'linear' : parsePlotScale(opts.plotScale));
    const swept = `p ∈ {${ps.join(', ')}}, σ² ∈ {${variances.map((v) => v.toExponential(0)).join(', ')}}${opts.scaleEta ? ', η/p fixed' : ''}`;
    const spec = curvesFigureSpec(series, { title: 'Escape time against the initialisation scale', subtitle: figureSubtitle(config, swept), x: { title: 'ln(1/σ²)', log: xLog }, y: { title: `t_esc (${timeDefinition(config)})`, log: yLog } });
    // The loss curves against t (src/model/time.ts: ηα/p for the mean readout), one per p at the smallest σ².
    const smallest = Math.min(...variances);
    const curveSeries = ps.flatMap((p) => result.points.filter((q) => q.p === p && q.variance === smallest && q.curve !== undefined && q.curve.t.length > 1)
      .map((q) => ({ label: `p = ${p}`, x: q.curve!.t.slice(1), y: q.curve!.loss.slice(1) })));
    const curvesSpec = curvesFigureSpec(curveSeries, { title: `Loss against ${timeDefinition(config)} (σ² = ${smallest})`, subtitle: figureSubtitle(config, swept), x: { title: timeDefinition(config), log: true }, y: { title: 'population loss ε', log: true } });
    // t_esc against p, one line per σ²: flat where p enters only through the prefactor (paper/claims/wideEscape.ts).
    const byP = variances.map((v) => {
      const pts = result.points.filter((q) => q.variance === v && q.escapeTime !== null);
      return { label: `σ² = ${v}`, x: pts.map((q) => q.p), y: pts.map((q) => q.escapeTime!), points: true };
    });
    const pSpec = curvesFigureSpec(byP, { title: 'Escape time against the student width', subtitle: figureSubtitle(config, swept), x: { title: 'student width p', log: true }, y: { title: `t_esc (${timeDefinition(config)})`, log: yLog } });
    const files = await writeRunOutputs(opts.out, { tables: [['escape.csv', (write) => write(csv)]], json: ['escape.json', out], figures: [['escape', spec], ['escape-curves', curvesSpec], ['escape-vs-p', pSpec]] });
    if (!opts.json) console.log(`wrote ${files.join(', ')}`);
  }
}

/** `escape --finite-n`: α_esc of SDE ensembles against ln N and η (src/analysis/finiteNEscape.ts). */
async function cmdFiniteN(opts: EscapeOptions): Promise<void> {
  const config = loadConfig(opts, { weights: false });
  prepareOut(opts, false);
  const Ns = parseList('n-list', opts.nList, false);
  const etas = opts.etas !== undefined ? parseList('etas', opts.etas, false) : [initialEta(config.eta)]; // constant rates, one per point (a schedule's η at α = 0)
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
    const { finiteNEscapeSpec } = await import('../../src/plot/finiteN.js');
    const spec = finiteNEscapeSpec(result, describe(config));
    const files = await writeRunOutputs(opts.out, { tables: [['escape.csv', (write) => write(csv)]], json: ['escape.json', out], figures: [['escape', spec]] });
    if (!opts.json) console.log(`wrote ${files.join(', ')}`);
  }
}

export function registerEscape(program: Command): void {
  withCommonOptions(program.command('escape').description(`sweep the escape time (ODE) over student widths p and initialisation variances σ², and fit α_esc ≈ A ln(1/σ²) + B per p (η = ${ESCAPE_DEFAULT_ETA} unless the config names eta; a point not escaped by alphaMax is run on to at most 16× alphaMax; dropped points are warned about on stderr and listed under "dropped")`),
    'escape.csv, escape.json, escape.svg/png/pdf, escape-curves.svg/png/pdf and escape-vs-p.svg/png/pdf')
    .option('--p <list>', 'student widths, comma-separated (default p*, 2p*, 4p*, 8p*)')
    .option('--variances <list>', 'initialisation variances σ², comma-separated, e.g. 1e-2,1e-4,1e-6', '1e-2,1e-3,1e-4,1e-5,1e-6,1e-7,1e-8')
    .option('--scale-eta', 'run width p at η·p/p_config instead of at the config\'s η, so that η/p (the step size of the mean readout, and t = ηα/p) stays the config\'s at every p')
    .option('--finite-n', 'instead: α_esc of SDE ensembles (config key runs) against N (--n-list) and η (--etas), with the ODE from typical finite-N overlaps')
    .option('--n-list <list>', 'with --finite-n: input dimensions N', '1e3,1e4,1e5,1e6,1e7,1e8,1e9')
    .option('--etas <list>', 'with --finite-n: learning rates (default the config\'s eta)')
    .action(async (o: EscapeOptions) => { await load(); return cmdEscape(o); });
}
