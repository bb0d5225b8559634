/**
 * What the CLI's commands share: reading the config, the progress display, running the ODE and
 * the SGD ensemble with their budget checks, the terminal summary and the run folder. Each
 * command's own file under cli/commands/ is then a short composition of these.
 */
import { Command, Option } from 'commander';
import { availableParallelism } from 'node:os';
import { ConfigError, OnepassError } from '../src/model/errors.js';
import type { Config } from '../src/model/config.js';
import type { Problem } from '../src/model/problem.js';
import type { Trajectory } from '../src/model/trajectory.js';
import type { Ensemble, EnsembleCheckpoint } from '../src/sim/ensemble.js';
import type { SgdStats, SdeStats } from '../src/model/trajectory.js';

/** An SGD or an SDE ensemble: the same summary, runs and JSON schema. */
export type AnyEnsemble = Ensemble<SgdStats | SdeStats>;
import type { LossSeries } from '../src/plot/loss.js';
import type { OutputProducer } from '../src/io/files.js';
import type { RunGroup } from '../src/model/trajectoryNpz.js';
import { timeAxis, timeAt, timeDefinition, type TimeConfig } from '../src/model/time.js';
import type { TopLevelSpec } from 'vega-lite';
import type { OdeStats } from '../src/model/trajectory.js';
// The library loads on demand (see library.ts): each action awaits load(...) first.
import {
  applyOverrides, parseConfig, initialCondition, solve, writeJson, lossFigureSpec, renderSvg,
  odeStability, divergenceDiagnosis, analyzeLossCurve, svgToPdf, readJsonFile, writeTrajectoryNpz, prepareRunFolder, writeRunFolder, svgToPng, streamToFd,
  readCheckpoint, checkpointWriter, refuseToOverwriteCheckpoint, simulateEnsembleOnPool, cliProgress, writeTrajectoryCsv,
} from './library.js';
import { sgdWork, odeSeconds, checkTime, estimateNote, MAX_STEPS } from '../src/model/budget.js';
import { describeEta } from '../src/model/schedule.js';
import { parseOut, parseWorkers } from './options.js';
import { terminalBar, logProgress } from './progress.js';
import { parsePlotScale, type PlotScale } from '../src/plot/scale.js';

/** `--json`: one JSON document streamed to stdout in 1 MiB pieces, never built as one string; EPIPE and ENOSPC as above. */
export function printJson(value: unknown): void {
  try {
    streamToFd(1, (write) => writeJson(value, write, 0));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EPIPE') process.exit(0);
    throw new OnepassError(`cannot write to standard output (${code ?? (err as Error).message})`);
  }
}

export interface CommonOptions {
  config?: string;
  set: string[];
  out?: string;
  json?: boolean;
  progress: boolean;
  force?: boolean;
  yes?: boolean;
  plotScale?: string;
}

export function loadConfig(opts: CommonOptions, parse: { readonly weights?: boolean } = {}): Config {
  if (opts.plotScale !== undefined) parsePlotScale(opts.plotScale); // fails before any work
  const base = opts.config ? readJsonFile(opts.config) : {};
  if (base === null || typeof base !== 'object' || Array.isArray(base)) throw new OnepassError(`--config ${opts.config}: must hold a JSON object`);
  return parseConfig(applyOverrides(base as Record<string, unknown>, opts.set), parse);
}

/**
 * The time estimate of work beyond a minute (checkWork), said when the work starts: after every
 * check of the command (a refused checkpoint stays one line), by the first progress display.
 */
let pendingNote: string | null = null;

/** Announces work estimated beyond a minute (estimateNote) at the command's first progress display, as checkWork does. */
export function announceWork(seconds: number, work: string): void {
  pendingNote = estimateNote(seconds, work);
}

/**
 * Progress on stderr (cli/progress.ts): a bar on a terminal; in a log (not a terminal: a cluster
 * job, a pipe) a line every 10 s or more; nothing with --no-progress. Fractions in [0, 1]. First
 * the pending time estimate, if any.
 */
export function progressBar(label: string, opts: Pick<CommonOptions, 'progress'>): { update: (f: number) => void; stop: () => void } {
  const note = pendingNote;
  pendingNote = null;
  if (!opts.progress) return { update: () => {}, stop: () => {} };
  if (note) process.stderr.write(`${note}\n`);
  const p = process.stderr.isTTY ? terminalBar(cliProgress, label, 1000) : logProgress(label, 1000, (l) => process.stderr.write(l));
  return { update: (f) => p.update(Math.round(f * 1000)), stop: p.stop };
}

export function runOde(problem: Problem, opts: CommonOptions, method: 'ode' | 'gradientFlow' = 'ode'): { trajectory: Trajectory<OdeStats>; ms: number } {
  const initial = initialCondition(problem.config);
  const bar = progressBar(method === 'ode' ? 'ODE' : 'gradient flow', opts);
  const t0 = performance.now();
  try {
    const trajectory = solve(problem, initial, { method, onProgress: bar.update });
    return { trajectory, ms: performance.now() - t0 };
  } finally { bar.stop(); }
}

export interface SimOptions extends CommonOptions { resume?: boolean; checkpointEvery?: string; workers?: string }

/** --workers: a positive integer up to 4 per core, default one thread per core. */
export function workersOption(value: string | undefined): number | undefined {
  return value === undefined ? undefined : parseWorkers(value);
}

/**
 * Before computing: what a killed run left beside the run folder is resolved (one line on
 * stderr), the folder can be written and replaced (src/io/files.ts), and it holds no interrupted
 * run's checkpoint that this run would overwrite (unless --resume or --force). `canResume`: the
 * command simulates SGD and can continue that run; the message says what applies.
 */
export function prepareOut(opts: CommonOptions & { resume?: boolean }, canResume: boolean): void {
  if (!opts.out) return;
  const note = prepareRunFolder(opts.out);
  if (note) process.stderr.write(`note: ${note}\n`);
  if (!opts.resume && !opts.force) refuseToOverwriteCheckpoint(opts.out, canResume);
}

/**
 * Refuses, before computing, a run no machine can finish (SGD step counts beyond 2⁵³, or an
 * estimated time beyond a century), and asks for --yes above a day (src/model/budget.ts).
 */
export function checkWork(config: Config, opts: SimOptions, what: { ode: boolean; sgdRuns: number }): void {
  const workers = workersOption(opts.workers) ?? availableParallelism();
  const { stepsPerRun, seconds: sgdSeconds } = sgdWork({ ...config, runs: what.sgdRuns }, workers);
  const keys = what.sgdRuns ? 'lower alphaMax, N or runs' : 'lower alphaMax';
  if (what.sgdRuns && !(stepsPerRun <= MAX_STEPS)) throw new ConfigError('alphaMax', `α_max·N = ${stepsPerRun.toPrecision(3)} SGD steps per run is beyond what can be counted exactly (2⁵³); ${keys}`);
  const seconds = (what.sgdRuns ? sgdSeconds : 0) + (what.ode ? odeSeconds(config) : 0);
  const work = [what.sgdRuns ? `${stepsPerRun.toPrecision(3)} SGD steps per run × ${what.sgdRuns} run(s)` : '', what.ode ? `the ODE up to α = ${config.alphaMax}` : ''].filter(Boolean).join(' and ');
  checkTime(seconds, work, keys, opts.yes);
  pendingNote = estimateNote(seconds, work);
}

/** A simulation's --checkpoint-every, and with --resume its checkpoint, read and validated before anything is computed. */
export interface SimSetup { every: number; resume?: EnsembleCheckpoint }

export function simSetup(config: Config, opts: SimOptions): SimSetup {
  const every = Number(opts.checkpointEvery ?? 10);
  if (!(every > 0)) throw new OnepassError(`--checkpoint-every: must be a positive number of seconds (got "${opts.checkpointEvery}")`);
  if (opts.resume && !opts.out) throw new OnepassError('--resume: needs --out DIR, the folder of the interrupted run');
  return { every, resume: opts.resume ? readCheckpoint(opts.out!, config) : undefined };
}

export async function runSim(problem: Problem, opts: SimOptions, { every, resume }: SimSetup): Promise<{ ensemble: Ensemble; ms: number }> {
  const initial = initialCondition(problem.config);
  const config = problem.config;
  // With --out, long runs checkpoint into the folder; --resume continues from there (simSetup).
  // A failed checkpoint write (disk full) warns and the run goes on: the last good checkpoint stays.
  const checkpoint = opts.out ? { everySeconds: every, write: checkpointWriter(opts.out, config, (m) => process.stderr.write(`warning: ${m}\n`)) } : undefined;
  const bar = progressBar(`SGD N=${problem.config.N}`, opts);
  const t0 = performance.now();
  try {
    // The runs of an ensemble are independent: one per worker thread, same results as in sequence.
    // The checkpoint stays until the finished run's folder replaces it (writeOutputs).
    const ensemble = await simulateEnsembleOnPool(problem, initial, { workers: workersOption(opts.workers), onProgress: bar.update, checkpoint, resume });
    return { ensemble, ms: performance.now() - t0 };
  } finally { bar.stop(); }
}

export function describe(c: Config): string {
  const init = 'Q' in c.init ? 'explicit overlaps' : `${c.init.teacher} teacher, σ² = ${c.init.studentVariance}, init seed ${c.init.seed}`;
  const until = c.time === 't' ? `${timeDefinition(c)} ≤ ${Number(timeAt(c, c.alphaMax).toPrecision(6))} (α ≤ ${c.alphaMax})` : `α ≤ ${c.alphaMax}`;
  return `${c.activation} p = ${c.p}, p* = ${c.pStar}, ${describeEta(c.eta)}${c.batchSize === 1 ? '' : `, batch ${c.batchSize}`}, Δ = ${c.noise}, ${until}, ${init}`;
}

export const fmt = (x: number) => (Number.isFinite(x) ? x.toExponential(3) : String(x));
export const fmtTime = (ms: number) => (ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(1)} s`);

/** A loss as printed: below its accuracy floor only the bound is known, so no digits are shown. */
export const fmtLoss = (t: Pick<Trajectory, 'loss' | 'lossFloor'>, i: number) =>
  t.lossFloor && t.loss[i] < t.lossFloor[i] ? `< ${t.lossFloor[i].toExponential(0)}` : fmt(t.loss[i]);

/** A short table of the loss at ~8 log-spaced α's, for the terminal summary; its time column in the config's unit. */
export function lossTable(columns: { name: string; t: Pick<Trajectory, 'alpha' | 'loss' | 'lossFloor'> }[], config: TimeConfig): string {
  const alpha = columns[0].t.alpha;
  const time = timeAxis(config, alpha);
  const picks: number[] = [];
  const pos = Array.from(alpha.keys()).filter((i) => alpha[i] > 0);
  for (let k = 0; k < 8 && pos.length; k++) picks.push(pos[Math.round((k * (pos.length - 1)) / 7)]);
  const lines = [[time.symbol, ...columns.map((c) => c.name)].map((s) => s.padStart(12)).join('')];
  for (const i of [...new Set(picks)]) lines.push([time.values[i].toPrecision(4), ...columns.map((c) => (i < c.t.loss.length ? fmtLoss(c.t, i) : '—'))].map((s) => s.padStart(12)).join(''));
  if (lines.some((l) => l.includes('<'))) lines.push('(< x: below the accuracy floor: the rounding of the loss, for ReLU on the (Q, M) path its integrated right-hand-side rounding; see README, Accuracy)');
  return lines.join('\n');
}

/**
 * What a command writes into its run folder: tables (CSV, npz; streamed), its JSON result
 * (streamed) and figures, each figure as NAME.svg, NAME.png and NAME.pdf.
 */
export interface RunOutputs {
  readonly tables?: readonly (readonly [name: string, produce: OutputProducer])[];
  readonly json: readonly [name: string, value: unknown];
  readonly figures: readonly (readonly [name: string, spec: TopLevelSpec])[];
}

/**
 * The loss figure's axes: `--plot-scale`, else log–log for the quadratic network (the paper's
 * figures) and linear α with a log loss for other networks (Saad–Solla's plateaus are read on linear α).
 */
export function lossScale(config: Config, opts: Pick<CommonOptions, 'plotScale'>): PlotScale {
  if (opts.plotScale !== undefined) return parsePlotScale(opts.plotScale);
  return config.activation === 'square' && config.readout === 'mean' ? 'loglog' : 'logy';
}

/** The figures' subtitle: the setup, with the readout (describe() and the readout). */
export const figureSubtitle = (c: Config, swept?: string) => `${describe(c)}, ${c.readout} readout${swept ? `; swept: ${swept}` : ''}`;

/**
 * The one writer of run folders (every command's --out): the folder is replaced as a whole
 * (src/io/files.ts), tables and JSON are streamed to disk, never built as one giant string.
 * Returns the names written, in the order tables, json, figures.
 */
export async function writeRunOutputs(dir: string, outputs: RunOutputs): Promise<string[]> {
  const files: (readonly [string, string | Uint8Array | OutputProducer])[] = [...(outputs.tables ?? [])];
  const [jsonName, value] = outputs.json;
  files.push([jsonName, (write) => writeJson(value, write)]);
  for (const [name, spec] of outputs.figures) {
    const svg = await renderSvg(spec);
    files.push([`${name}.svg`, svg], [`${name}.png`, svgToPng(svg)], [`${name}.pdf`, await svgToPdf(svg)]);
  }
  return writeRunFolder(dir, files);
}

/**
 * The run folder of a trajectory command (ode, sim, compare): trajectory.csv, trajectory.npz
 * (the runs of `groups`, per run), result.json and the loss figure.
 */
export function writeOutputs(dir: string, result: object, csv: OutputProducer, series: LossSeries[], title: string, config: Config, groups: RunGroup[], opts: Pick<CommonOptions, 'plotScale'> = {}): Promise<string[]> {
  // The plateau of the first curve (the ODE where there is one) as a reference line.
  const first = series[0].trajectory;
  const plateau = analyzeLossCurve(first.alpha, first.loss, { floor: config.noise / 2 }).plateau;
  const hrules = plateau ? [{ y: plateau.loss, label: `plateau ε = ${plateau.loss.toPrecision(3)}` }] : [];
  return writeRunOutputs(dir, {
    tables: [['trajectory.csv', csv], ['trajectory.npz', (write) => writeTrajectoryNpz(config, groups, write)]],
    json: ['result.json', result],
    figures: [['loss', lossFigureSpec(series, title, figureSubtitle(config), [], { scale: lossScale(config, opts), hrules, time: config })]],
  });
}

export function sgdSeries(e: AnyEnsemble, N: number, solver: 'SGD' | 'SDE' = 'SGD'): LossSeries[] {
  if (e.runs.length === 1) return [{ label: `${solver} N=${N} (seed ${e.seed})`, trajectory: e.runs[0], points: true }];
  return [{ label: `${solver} N=${N}, mean ± std of ${e.runs.length} runs`, trajectory: { alpha: e.alpha, loss: e.lossMean, lossStd: e.lossStd }, points: true }];
}

/**
 * The end of `sim` and `sde` (same outputs): the run folder (trajectory.csv and .npz per run, the
 * loss of the ensemble), a warning per run that did not complete, and exit code 3 if any.
 */
export async function finishEnsemble(opts: SimOptions, config: Config, ensemble: AnyEnsemble, result: object, solver: 'SGD' | 'SDE', title: string): Promise<void> {
  if (opts.out) {
    const files = await writeOutputs(opts.out, result, (write) => writeTrajectoryCsv(sgdCsvEntries(ensemble), config, write), sgdSeries(ensemble, config.N, solver), title, config, [{ prefix: '', runs: ensemble.runs }], opts);
    if (!opts.json) console.log(`wrote ${files.join(', ')}`);
  }
  warnIfNotCompleted(sgdRuns(ensemble), config);
  if (ensemble.runs.some((t) => t.status !== 'completed')) process.exitCode = 3;
}

export function sgdCsvEntries(e: AnyEnsemble) {
  return e.runs.map((t, r) => ({ trajectory: t, run: r, seed: e.seed }));
}

/**
 * One warning per run that did not complete, with the core's diagnosis (the ODE at the same η
 * from the same overlaps, and its stability limit over α ≤ alphaMax; `ode` when already run).
 */
export function warnIfNotCompleted(runs: { trajectory: Trajectory; seed?: number; run?: number }[], config: Config, ode?: Trajectory): void {
  const stopped = runs.filter((r) => r.trajectory.status !== 'completed');
  if (stopped.length === 0) return;
  const stability = odeStability(config, ode);
  for (const r of stopped) process.stderr.write(`warning: ${divergenceDiagnosis(r.trajectory, stability, r.seed, r.run)!.message}\n`);
}

export const sgdRuns = (e: AnyEnsemble) => e.runs.map((trajectory, r) => ({ trajectory, seed: e.seed, run: r }));

export const num = (x: number | null | undefined, digits = 4) => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toPrecision(digits));

export function parseList(name: string, raw: string, integer: boolean): number[] {
  const values = raw.split(',').map((v) => Number(v.trim()));
  const bad = values.find((v) => !Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v)));
  if (bad !== undefined || values.length === 0) throw new OnepassError(`--${name}: expected a comma-separated list of ${integer ? 'positive integers' : 'positive numbers'} (got "${raw}")`);
  // A repeated value is a repeated point: the fit over it would be made of fewer distinct points than it claims.
  const repeated = values.find((v, i) => values.indexOf(v) !== i);
  if (repeated !== undefined) throw new OnepassError(`--${name}: values must be distinct (${repeated} is given twice in "${raw}")`);
  return values;
}

/** `outFiles`: what this command's --out writes (the run commands' set by default). */
export function withCommonOptions(cmd: Command, outFiles = 'trajectory.csv, trajectory.npz (numpy), result.json and loss.svg/png/pdf'): Command {
  return cmd
    .option('-c, --config <file>', 'JSON config file (keys in the README); defaults are the paper\'s headline setup')
    .addOption(new Option('-s, --set <key=value>', 'override a config key by dotted path, e.g. init.studentVariance=1e-8 (repeatable)').argParser((v: string, prev: string[]) => [...prev, v]).default([]))
    .option('-o, --out <dir>', `write ${outFiles} into this folder`, parseOut)
    .option('--json', 'print one JSON document on stdout (schema in the README)')
    .option('--no-progress', 'no progress bar on a terminal, no progress lines in a log (stderr not a terminal)')
    .option('--force', 'start over in an --out folder holding an interrupted run\'s checkpoint')
    .option('--yes', 'run even when the estimated time is more than a day')
    .option('--plot-scale <scale>', 'axes of the figures: loglog, logy (linear x, log loss; also linx), logx or linear (default: loglog for the quadratic network, logy otherwise)');
}

/** --resume and --checkpoint-every, for the commands that simulate SGD into --out. */
export function withResumeOptions(cmd: Command): Command {
  return cmd
    .option('--resume', 'continue the interrupted run whose checkpoint is in --out DIR (same config)')
    .option('--checkpoint-every <seconds>', 'seconds between checkpoints into --out DIR', '10');
}

