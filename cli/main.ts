#!/usr/bin/env node
/**
 * The `onepass` command line: a thin shell over the core. It parses arguments, reads the
 * config, calls the library, and writes files or JSON. Errors become one line and exit code 2.
 */
import { Command, CommanderError, Option } from 'commander';
import { availableParallelism } from 'node:os';
import { ConfigError, OnepassError, clip, errorLine } from '../src/model/errors.js';
import { VERSION } from '../src/version.js';
import type { Config } from '../src/model/config.js';
import type { Problem } from '../src/model/problem.js';
import type { Trajectory } from '../src/model/trajectory.js';
import type { Ensemble } from '../src/sim/ensemble.js';
import type { LossSeries } from '../src/plot/loss.js';
import type { SetupAnalysis } from '../src/analysis/analyze.js';
import type { OutputProducer } from '../src/io/files.js';
// The library loads on demand (see library.ts): each action awaits load(...) first.
import {
  load, applyOverrides, parseConfig, makeProblem, initialCondition, solveOde,
  trajectoryJson, ensembleJson, writeTrajectoryCsv, writeJson, provenance, lossFigureSpec, renderSvg,
  analyzeSetup, analyzeLossCurve, conservedDrift, curvesFigureSpec, escapeSweep, quadraticAnalysesApply, odeStability, divergenceDiagnosis, diagnoseDeviation,
  readJsonFile, prepareRunFolder, writeRunFolder, svgToPng, streamToFd, reproduce, readCheckpoint, checkpointWriter, refuseToOverwriteCheckpoint,
  simulateEnsembleOnPool, cliProgress,
} from './library.js';
import type { EnsembleCheckpoint } from '../src/sim/ensemble.js';
import { sgdWork, odeSeconds, escapeSweepSeconds, checkTime, MAX_STEPS } from '../src/model/budget.js';
import { startExplorer } from '../src/io/explore.js';
import { registerSweep } from './sweep.js';
import { parseOut, parsePort, parseWorkers } from './options.js';

// stdout closed by its reader (`--json | head`) ends the run quietly; stdout that cannot be
// written (ENOSPC on a full disk) is one line and exit 2, never an unhandled 'error' event.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  process.stderr.write(`error: cannot write to standard output (${err.code ?? err.message})\n`);
  process.exit(2);
});

/** `--json`: one JSON document streamed to stdout in 1 MiB pieces, never built as one string; EPIPE and ENOSPC as above. */
function printJson(value: unknown): void {
  try {
    streamToFd(1, (write) => writeJson(value, write, 0));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EPIPE') process.exit(0);
    throw new OnepassError(`cannot write to standard output (${code ?? (err as Error).message})`);
  }
}

interface CommonOptions {
  config?: string;
  set: string[];
  out?: string;
  json?: boolean;
  progress: boolean;
  force?: boolean;
  yes?: boolean;
}

function loadConfig(opts: CommonOptions): Config {
  const base = opts.config ? readJsonFile(opts.config) : {};
  if (base === null || typeof base !== 'object' || Array.isArray(base)) throw new OnepassError(`--config ${opts.config}: must hold a JSON object`);
  return parseConfig(applyOverrides(base as Record<string, unknown>, opts.set));
}

/** A progress bar on stderr when it is a terminal (and not asked off); otherwise nothing. */
function progressBar(label: string, opts: CommonOptions): { update: (f: number) => void; stop: () => void } {
  if (!process.stderr.isTTY || !opts.progress) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar({ format: `${label} [{bar}] {percentage}% | eta {eta_formatted}`, stream: process.stderr, hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic);
  bar.start(1000, 0);
  let last = -1;
  return {
    update: (f) => { const v = Math.round(f * 1000); if (v !== last) { last = v; bar.update(v); } },
    stop: () => bar.stop(),
  };
}

function runOde(problem: Problem, opts: CommonOptions): { trajectory: Trajectory; ms: number } {
  const initial = initialCondition(problem.config);
  const bar = progressBar('ODE', opts);
  const t0 = performance.now();
  try {
    const trajectory = solveOde(problem, initial.overlaps, { onProgress: bar.update });
    return { trajectory, ms: performance.now() - t0 };
  } finally { bar.stop(); }
}

interface SimOptions extends CommonOptions { resume?: boolean; checkpointEvery?: string; workers?: string }

/** --workers: a positive integer up to 4 per core, default one thread per core. */
function workersOption(value: string | undefined): number | undefined {
  return value === undefined ? undefined : parseWorkers(value);
}

/**
 * Before computing: what a killed run left beside the run folder is resolved (one line on
 * stderr), the folder can be written and replaced (src/io/files.ts), and it holds no interrupted
 * run's checkpoint that this run would overwrite (unless --resume or --force). `canResume`: the
 * command simulates SGD and can continue that run; the message says what applies.
 */
function prepareOut(opts: CommonOptions & { resume?: boolean }, canResume: boolean): void {
  if (!opts.out) return;
  const note = prepareRunFolder(opts.out);
  if (note) process.stderr.write(`note: ${note}\n`);
  if (!opts.resume && !opts.force) refuseToOverwriteCheckpoint(opts.out, canResume);
}

/**
 * Refuses, before computing, a run no machine can finish (SGD step counts beyond 2⁵³, or an
 * estimated time beyond a century), and asks for --yes above a day (src/model/budget.ts).
 */
function checkWork(config: Config, opts: SimOptions, what: { ode: boolean; sgdRuns: number }): void {
  const workers = workersOption(opts.workers) ?? availableParallelism();
  const { stepsPerRun, seconds: sgdSeconds } = sgdWork({ ...config, runs: what.sgdRuns }, workers);
  const keys = what.sgdRuns ? 'lower alphaMax, N or runs' : 'lower alphaMax';
  if (what.sgdRuns && !(stepsPerRun <= MAX_STEPS)) throw new ConfigError('alphaMax', `α_max·N = ${stepsPerRun.toPrecision(3)} SGD steps per run is beyond what can be counted exactly (2⁵³); ${keys}`);
  const seconds = (what.sgdRuns ? sgdSeconds : 0) + (what.ode ? odeSeconds(config) : 0);
  const work = [what.sgdRuns ? `${stepsPerRun.toPrecision(3)} SGD steps per run × ${what.sgdRuns} run(s)` : '', what.ode ? `the ODE up to α = ${config.alphaMax}` : ''].filter(Boolean).join(' and ');
  checkTime(seconds, work, keys, opts.yes);
}

/** A simulation's --checkpoint-every, and with --resume its checkpoint, read and validated before anything is computed. */
interface SimSetup { every: number; resume?: EnsembleCheckpoint }

function simSetup(config: Config, opts: SimOptions): SimSetup {
  const every = Number(opts.checkpointEvery ?? 10);
  if (!(every > 0)) throw new OnepassError(`--checkpoint-every: must be a positive number of seconds (got "${opts.checkpointEvery}")`);
  if (opts.resume && !opts.out) throw new OnepassError('--resume: needs --out DIR, the folder of the interrupted run');
  return { every, resume: opts.resume ? readCheckpoint(opts.out!, config) : undefined };
}

async function runSim(problem: Problem, opts: SimOptions, { every, resume }: SimSetup): Promise<{ ensemble: Ensemble; ms: number }> {
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

function describe(c: Config): string {
  const init = 'Q' in c.init ? 'explicit overlaps' : `${c.init.teacher} teacher, σ² = ${c.init.studentVariance}, init seed ${c.init.seed}`;
  return `${c.activation} p = ${c.p}, p* = ${c.pStar}, η = ${c.eta}, Δ = ${c.noise}, α ≤ ${c.alphaMax}, ${init}`;
}

const fmt = (x: number) => (Number.isFinite(x) ? x.toExponential(3) : String(x));
const fmtTime = (ms: number) => (ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(1)} s`);

/** A loss as printed: below its accuracy floor only the bound is known, so no digits are shown. */
const fmtLoss = (t: Pick<Trajectory, 'loss' | 'lossFloor'>, i: number) =>
  t.lossFloor && t.loss[i] < t.lossFloor[i] ? `< ${t.lossFloor[i].toExponential(0)}` : fmt(t.loss[i]);

/** A short table of the loss at ~8 log-spaced α's, for the terminal summary. */
function lossTable(columns: { name: string; t: Pick<Trajectory, 'alpha' | 'loss' | 'lossFloor'> }[]): string {
  const alpha = columns[0].t.alpha;
  const picks: number[] = [];
  const pos = Array.from(alpha.keys()).filter((i) => alpha[i] > 0);
  for (let k = 0; k < 8 && pos.length; k++) picks.push(pos[Math.round((k * (pos.length - 1)) / 7)]);
  const lines = [['α', ...columns.map((c) => c.name)].map((s) => s.padStart(12)).join('')];
  for (const i of [...new Set(picks)]) lines.push([alpha[i].toPrecision(4), ...columns.map((c) => (i < c.t.loss.length ? fmtLoss(c.t, i) : '—'))].map((s) => s.padStart(12)).join(''));
  if (lines.some((l) => l.includes('<'))) lines.push('(< x: below the accuracy floor, the rounding error of the loss formula; see README, Accuracy)');
  return lines.join('\n');
}

/** The run folder, replaced as a whole; trajectory.csv and result.json are streamed to disk, never one giant string. */
async function writeOutputs(dir: string, result: object, csv: OutputProducer, series: LossSeries[], title: string, config: Config): Promise<string[]> {
  const svg = await renderSvg(lossFigureSpec(series, title, describe(config)));
  return writeRunFolder(dir, [
    ['trajectory.csv', csv],
    ['result.json', (write) => writeJson(result, write)],
    ['loss.svg', svg],
    ['loss.png', svgToPng(svg)],
  ]);
}

function sgdSeries(e: Ensemble, N: number): LossSeries[] {
  if (e.runs.length === 1) return [{ label: `SGD N=${N} (seed ${e.seed})`, trajectory: e.runs[0], points: true }];
  return [{ label: `SGD N=${N}, mean of ${e.runs.length} runs`, trajectory: { alpha: e.alpha, loss: e.lossMean }, points: true }];
}

function sgdCsvEntries(e: Ensemble) {
  return e.runs.map((t, r) => ({ trajectory: t, run: r, seed: e.seed }));
}

/**
 * One warning per run that did not complete, with the core's diagnosis (the ODE at the same η
 * from the same overlaps, and its stability limit over α ≤ alphaMax; `ode` when already run).
 */
function warnIfNotCompleted(runs: { trajectory: Trajectory; seed?: number; run?: number }[], config: Config, ode?: Trajectory): void {
  const stopped = runs.filter((r) => r.trajectory.status !== 'completed');
  if (stopped.length === 0) return;
  const stability = odeStability(config, ode);
  for (const r of stopped) process.stderr.write(`warning: ${divergenceDiagnosis(r.trajectory, stability, r.seed, r.run)!.message}\n`);
}

const sgdRuns = (e: Ensemble) => e.runs.map((trajectory, r) => ({ trajectory, seed: e.seed, run: r }));

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
    console.log(lossTable([{ name: 'ODE loss', t: trajectory }]));
  }
  if (opts.out) {
    const files = await writeOutputs(opts.out, result, (write) => writeTrajectoryCsv([{ trajectory, run: 0, seed: '' }], write), [{ label: 'ODE (N → ∞)', trajectory }], 'Overlap ODE', config);
    if (!opts.json) console.log(`wrote ${files.join(', ')}`);
  }
  warnIfNotCompleted([{ trajectory }], config, trajectory);
  if (trajectory.status !== 'completed') process.exitCode = 3;
}

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
    console.log(lossTable([{ name: 'SGD loss', t: { alpha: ensemble.alpha, loss: ensemble.lossMean } }]));
  }
  if (opts.out) {
    const files = await writeOutputs(opts.out, result, (write) => writeTrajectoryCsv(sgdCsvEntries(ensemble), write), sgdSeries(ensemble, config.N), `One-pass SGD, N = ${config.N}`, config);
    if (!opts.json) console.log(`wrote ${files.join(', ')}`);
  }
  warnIfNotCompleted(sgdRuns(ensemble), config);
  if (ensemble.runs.some((t) => t.status !== 'completed')) process.exitCode = 3;
}

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
  const { message: diagnosis, maxAbs, alphaAtMaxAbs, maxRel, points, ...where } = diagnoseDeviation(ode, { ...sgd, lossStd: ensemble.lossStd, runs: ensemble.runs.length }, { floor: config.noise / 2 });
  const deviation = { maxAbs, alphaAtMaxAbs, maxRel, points, ...where, message: diagnosis };
  const result = { ode: trajectoryJson(ode), sgd: ensembleJson(ensemble), deviation, ...provenance(config) };
  if (opts.json) printJson(result);
  else {
    console.log(`onepass compare: ${describe(config)}; N = ${config.N}, ${config.runs} SGD run(s) from seed ${config.seed}`);
    console.log(`ODE: ${ode.stats.acceptedSteps} adaptive steps in ${fmtTime(odeMs)}; SGD: ${ensemble.runs.length} × ${ensemble.runs[0].stats.steps} steps in ${fmtTime(simMs)}`);
    console.log(lossTable([{ name: 'ODE loss', t: ode }, { name: 'SGD loss', t: sgd }]));
    console.log(diagnosis);
  }
  if (opts.out) {
    const csv: OutputProducer = (write) => writeTrajectoryCsv([{ trajectory: ode, run: 0, seed: '' }, ...sgdCsvEntries(ensemble)], write);
    const series: LossSeries[] = [{ label: 'ODE (N → ∞)', trajectory: ode }, ...sgdSeries(ensemble, config.N)];
    const files = await writeOutputs(opts.out, result, csv, series, `ODE vs one-pass SGD at N = ${config.N}`, config);
    if (!opts.json) console.log(`wrote ${files.join(', ')}`);
  }
  warnIfNotCompleted([{ trajectory: ode }, ...sgdRuns(ensemble)], config, ode);
  if (ode.status !== 'completed' || ensemble.runs.some((t) => t.status !== 'completed')) process.exitCode = 3;
}

const num = (x: number | null | undefined, digits = 4) => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toPrecision(digits));

/** The analysis as a few lines of text. */
function analysisSummary(a: SetupAnalysis): string {
  const lines: string[] = [];
  const pl = a.plateau;
  lines.push(pl
    ? `plateau: ε ≈ ${num(pl.loss)} for α ∈ [${num(pl.startAlpha, 3)}, ${num(pl.endAlpha, 3)}] (symmetric saddle: ${num(a.theory.saddleLoss)}); ${a.plateaus.length} plateau(s) in all`
    : 'plateau: none found');
  lines.push(a.escapeAlpha === null
    ? 'escape: the loss never fell below half the plateau level'
    : `escape: α_esc = ${num(a.escapeAlpha)} (t = ηα/p = ${num(a.escapeTime)}); saddle escape rate of M in theory ${num(a.theory.saddleEscapeRate)} per unit α`);
  if (a.escapeDecay) lines.push(`decay after escape: rate ${num(a.escapeDecay.rate)} per unit α (R² ${num(a.escapeDecay.r2, 3)})`);
  if (a.finalDecay) lines.push(`approach to zero loss: rate ${num(a.finalDecay.rate)} per unit α (R² ${num(a.finalDecay.r2, 3)}); final loss ${num(a.finalLoss)}`);
  lines.push(`conserved J = e^{−Bα} Mᵀ Q⊥⁻¹ M e^{−Bα}: max relative drift ${num(a.conserved.maxDrift, 3)} along this run` +
    (a.conserved.gradientFlowMaxDrift !== null ? `, ${num(a.conserved.gradientFlowMaxDrift, 3)} along gradient flow (the η² SGD-noise term breaks it)` : '') +
    ` (evaluated up to α = ${num(a.conserved.evaluatedUpTo, 3)})`);
  const b = a.implicitBias;
  if (b) {
    lines.push(`implicit bias: final point ${num(b.distanceToClosest, 3)} from the solution closest to the initialisation, ${num(b.distanceToTypical, 3)} from a typical one (rms);`);
    lines.push(`  the solution reached is ${num(b.reachedToClosest, 3)} from the closest one (two typical solutions: ${num(b.typicalBetweenSolutions, 3)} apart); manifold dimension ${b.manifoldDimension}`);
  } else lines.push('implicit bias: n/a (p < p*: no zero-loss manifold, or M₀ rank deficient)');
  const h = a.hessian;
  lines.push(`Hessian at the symmetric saddle: ${h.plateau.negative} negative, ${h.plateau.zero} zero, ${h.plateau.positive} positive`);
  if (h.solution && h.expectedSolutionZeroModes) {
    const e = h.expectedSolutionZeroModes;
    lines.push(`Hessian on the zero-loss manifold: ${h.solution.negative} negative, ${h.solution.zero} zero (manifold ${e.manifold} + second-order-flat ${e.secondOrderFlat} = ${e.manifold + e.secondOrderFlat}), ${h.solution.positive} positive`);
  }
  if (a.specialCase) lines.push(`special case: ${a.specialCase}`);
  return lines.join('\n');
}

/**
 * For networks other than the quadratic one with mean readout, the loss-curve analyses (plateaus,
 * escape, decay rates) apply to any activation; the conserved quantity, the implicit bias and the
 * Hessian are derived for the quadratic network only and are reported as not applicable.
 */
async function cmdAnalyzeLossOnly(problem: Problem, opts: AnalyzeOptions, setup: SimSetup | undefined): Promise<void> {
  const config = problem.config;
  const trajectory = setup ? (await runSim(problem, opts, setup)).ensemble.runs[0] : runOde(problem, opts).trajectory;
  const a = analyzeLossCurve(trajectory.alpha, trajectory.loss, { floor: config.noise / 2 });
  const result = {
    solver: trajectory.solver, status: trajectory.status, ...a, finalLoss: trajectory.loss[trajectory.loss.length - 1],
    conserved: null, implicitBias: null, hessian: null,
    note: 'conserved quantity, implicit bias and Hessian are derived for the quadratic network (activation "square", readout "mean", second layer fixed) only',
    ...provenance(config),
  };
  if (opts.json) printJson(result);
  else {
    console.log(`onepass analyze (${opts.sim ? `SGD, N = ${config.N}, seed ${config.seed}` : 'ODE'}): ${describe(config)}, readout ${config.readout}`);
    console.log(a.plateau ? `plateau: ε ≈ ${num(a.plateau.loss)} for α ∈ [${num(a.plateau.startAlpha, 3)}, ${num(a.plateau.endAlpha, 3)}]; ${a.plateaus.length} plateau(s) in all` : 'plateau: none found');
    console.log(a.escapeAlpha === null ? 'escape: the loss never fell below half the plateau level' : `escape: α_esc = ${num(a.escapeAlpha)}`);
    if (a.escapeDecay) console.log(`decay after escape: rate ${num(a.escapeDecay.rate)} per unit α (R² ${num(a.escapeDecay.r2, 3)})`);
    if (a.finalDecay) console.log(`approach to the final loss: rate ${num(a.finalDecay.rate)} per unit α (R² ${num(a.finalDecay.r2, 3)})`);
    console.log(`final loss ${num(result.finalLoss)}; ${result.note}`);
  }
  if (opts.out) {
    const rules = a.escapeAlpha === null ? [] : [{ x: a.escapeAlpha, label: 'α_esc' }];
    const svg = await renderSvg(lossFigureSpec([{ label: opts.sim ? `SGD N=${config.N}` : 'ODE', trajectory }], 'Loss, plateau and escape', describe(config), rules));
    const files = writeRunFolder(opts.out, [['analysis.json', JSON.stringify(result, null, 1) + '\n'], ['loss.svg', svg], ['loss.png', svgToPng(svg)]]);
    if (!opts.json) console.log(`wrote ${files.join(', ')}`);
  }
  warnIfNotCompleted([{ trajectory, seed: opts.sim ? config.seed : undefined }], config, opts.sim ? undefined : trajectory);
  if (trajectory.status !== 'completed') process.exitCode = 3;
}

type AnalyzeOptions = SimOptions & { sim?: boolean };

async function cmdAnalyze(opts: AnalyzeOptions): Promise<void> {
  const config = loadConfig(opts);
  // Only a simulation checkpoints: analysing the ODE has nothing to resume.
  if (opts.resume && !opts.sim) throw new OnepassError('--resume: continues an interrupted simulation; add --sim (the ODE analysis has nothing to resume)');
  prepareOut(opts, !!opts.sim);
  checkWork(config, opts, { ode: !opts.sim, sgdRuns: opts.sim ? config.runs : 0 }); // --sim simulates every run of the config, analyses the first
  const setup = opts.sim ? simSetup(config, opts) : undefined;
  const problem = makeProblem(config);
  if (!quadraticAnalysesApply(problem)) return cmdAnalyzeLossOnly(problem, opts, setup);
  const initial = initialCondition(config);
  let trajectory: Trajectory, gradientFlow: Trajectory | undefined;
  if (setup) {
    trajectory = (await runSim(problem, opts, setup)).ensemble.runs[0];
  } else {
    trajectory = runOde(problem, opts).trajectory;
    gradientFlow = solveOde(problem, initial.overlaps, { sgdNoise: false });
  }
  const analysis = analyzeSetup({ eta: config.eta, noise: config.noise, weightDecay: config.weightDecay, initial: initial.overlaps, trajectory, gradientFlow });
  const result = { ...analysis, ...provenance(config) };
  if (opts.json) printJson(result);
  else {
    console.log(`onepass analyze (${opts.sim ? `SGD, N = ${config.N}, seed ${config.seed}` : 'ODE'}): ${describe(config)}`);
    console.log(analysisSummary(analysis));
  }
  if (opts.out) {
    const rules = analysis.escapeAlpha === null ? [] : [{ x: analysis.escapeAlpha, label: 'α_esc' }];
    const lossSvg = await renderSvg(lossFigureSpec([{ label: opts.sim ? `SGD N=${config.N}` : 'ODE', trajectory }], 'Loss, plateau and escape', describe(config), rules));
    const drift = conservedDrift(trajectory, config.eta);
    const series = [{ label: 'this run', x: trajectory.alpha, y: drift.drift }];
    if (gradientFlow) series.push({ label: 'gradient flow', x: gradientFlow.alpha, y: conservedDrift(gradientFlow, config.eta).drift });
    const driftSvg = await renderSvg(curvesFigureSpec(series, { title: 'Relative drift of the conserved quantity J', subtitle: describe(config), x: { title: 'α', log: true }, y: { title: '‖J(α) − J(0)‖ / ‖J(0)‖', log: true } }));
    const files = writeRunFolder(opts.out, [
      ['analysis.json', JSON.stringify(result, null, 1) + '\n'],
      ['loss.svg', lossSvg], ['loss.png', svgToPng(lossSvg)],
      ['conserved.svg', driftSvg], ['conserved.png', svgToPng(driftSvg)],
    ]);
    if (!opts.json) console.log(`wrote ${files.join(', ')}`);
  }
  warnIfNotCompleted([{ trajectory, seed: opts.sim ? config.seed : undefined }], config, opts.sim ? undefined : trajectory);
  if (trajectory.status !== 'completed') process.exitCode = 3;
}

function parseList(name: string, raw: string, integer: boolean): number[] {
  const values = raw.split(',').map((v) => Number(v.trim()));
  const bad = values.find((v) => !Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v)));
  if (bad !== undefined || values.length === 0) throw new OnepassError(`--${name}: expected a comma-separated list of ${integer ? 'positive integers' : 'positive numbers'} (got "${raw}")`);
  // A repeated value is a repeated point: the fit over it would be made of fewer distinct points than it claims.
  const repeated = values.find((v, i) => values.indexOf(v) !== i);
  if (repeated !== undefined) throw new OnepassError(`--${name}: values must be distinct (${repeated} is given twice in "${raw}")`);
  return values;
}

async function cmdEscape(opts: CommonOptions & { p?: string; variances: string; scaleEta?: boolean }): Promise<void> {
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
    console.log('fit α_esc ≈ A ln(1/σ²) + B, and in t = ηα/p: t_esc ≈ At ln(1/σ²) + Bt');
    for (const f of result.fits) console.log(`  p = ${String(f.p).padStart(3)}: A = ${num(f.A)}, B = ${num(f.B)}; At = ${num(f.At)}, Bt = ${num(f.Bt)} (R² ${num(f.r2, 3)}, ${f.points} points)`);
    const failed = result.points.filter((q) => q.status !== 'ok');
    for (const q of failed) console.log(`  p = ${q.p}, σ² = ${q.variance}: ${q.status}`);
  }
  if (opts.out) {
    const csv = ['p,variance,eta,escapeAlpha,escapeTime,plateauLoss,status', ...result.points.map((q) => [q.p, q.variance, q.eta, q.escapeAlpha ?? '', q.escapeTime ?? '', q.plateauLoss ?? '', JSON.stringify(q.status)].join(','))].join('\n') + '\n';
    const series = ps.map((p) => {
      const pts = result.points.filter((q) => q.p === p && q.escapeAlpha !== null);
      return { label: `p = ${p}`, x: pts.map((q) => Math.log(1 / q.variance)), y: pts.map((q) => q.escapeTime!) };
    });
    const svg = await renderSvg(curvesFigureSpec(series, { title: 'Escape time against the initialisation scale', subtitle: describe(config), x: { title: 'ln(1/σ²)' }, y: { title: 't_esc = η α_esc / p' } }));
    const files = writeRunFolder(opts.out, [['escape.csv', csv], ['escape.json', JSON.stringify(out, null, 1) + '\n'], ['escape.svg', svg], ['escape.png', svgToPng(svg)]]);
    if (!opts.json) console.log(`wrote ${files.join(', ')}`);
  }
}

function withCommonOptions(cmd: Command): Command {
  return cmd
    .option('-c, --config <file>', 'JSON config file (keys in the README); defaults are the paper\'s headline setup')
    .addOption(new Option('-s, --set <key=value>', 'override a config key by dotted path, e.g. init.studentVariance=1e-8 (repeatable)').argParser((v: string, prev: string[]) => [...prev, v]).default([]))
    .option('-o, --out <dir>', 'write trajectory.csv, result.json, loss.svg and loss.png into this folder', parseOut)
    .option('--json', 'print one JSON document on stdout (schema in the README)')
    .option('--no-progress', 'no progress bar even on a terminal')
    .option('--force', 'start over in an --out folder holding an interrupted run\'s checkpoint')
    .option('--yes', 'run even when the estimated time is more than a day');
}

/** --resume and --checkpoint-every, for the commands that simulate SGD into --out. */
function withResumeOptions(cmd: Command): Command {
  return cmd
    .option('--resume', 'continue the interrupted run whose checkpoint is in --out DIR (same config)')
    .option('--checkpoint-every <seconds>', 'seconds between checkpoints into --out DIR', '10');
}

async function cmdReproduce(opts: { out: string; progress: boolean; json?: boolean }): Promise<void> {
  const tty = process.stderr.isTTY && opts.progress;
  let lastLabel = '';
  const progress = (label: string, f: number) => {
    if (!tty) return;
    if (label !== lastLabel && lastLabel) process.stderr.write('\n');
    lastLabel = label;
    process.stderr.write(`\r${label}: ${Math.round(100 * f)}%   `);
  };
  const { checks, reportPath } = await reproduce(opts.out, progress, (line) => process.stderr.write(`note: ${line}\n`));
  if (tty) process.stderr.write('\n');
  if (opts.json) printJson({ checks, report: reportPath });
  else {
    for (const c of checks) console.log(`${c.holds ? 'holds        ' : 'DOES NOT HOLD'}  ${c.claim}\n               ${c.measured}`);
    console.log(`report: ${reportPath}`);
  }
}

const program = new Command()
  .name('onepass')
  .description('Exact dynamics of one-pass SGD in two-layer teacher–student networks: overlap ODEs and finite-N simulations.')
  .version(VERSION)
  // Usage errors come back as CommanderError (inherited by every subcommand created below) and
  // are printed by the handler at the end: one line and exit code 2, as for any bad input.
  .exitOverride()
  .configureOutput({ outputError: () => {} })
  // Test hook: stands in for an engine bug (a RangeError from deep inside the core), so
  // cli/main.errors.test.ts can check that the final handler reports it as a bug, not as bad input.
  .hook('preAction', () => {
    const injected = process.env.ONEPASS_TEST_INTERNAL_ERROR;
    if (injected) throw new RangeError(injected);
  });

withCommonOptions(program.command('ode').description('integrate the overlap ODEs (N → ∞)')).action(async (o: CommonOptions) => { await load(); return cmdOde(o); });
withResumeOptions(withCommonOptions(program.command('sim').description('simulate finite-N one-pass SGD (config keys N, seed, runs); with --out it checkpoints, --resume continues')))
  .option('--workers <n>', 'worker threads for the runs of an ensemble (config key runs); default one per core')
  .action(async (o: SimOptions) => { await load('pool'); return cmdSim(o); });
withResumeOptions(withCommonOptions(program.command('analyze').description('plateau and escape, conserved quantity, implicit bias and Hessian spectra for one setup (quadratic)')))
  .option('--sim', 'analyse a finite-N SGD run (first seed) instead of the ODE')
  .action(async (o: AnalyzeOptions) => { await load('pool'); return cmdAnalyze(o); });
withCommonOptions(program.command('escape').description('sweep the escape time (ODE) over student widths p and initialisation variances σ²'))
  .option('--p <list>', 'student widths, comma-separated (default p*, 2p*, 4p*, 8p*)')
  .option('--variances <list>', 'initialisation variances σ², comma-separated', '1e-2,1e-3,1e-4,1e-5,1e-6,1e-7,1e-8')
  .option('--scale-eta', 'keep η/p at the config\'s ratio instead of η (each unit\'s step carries 1/p)')
  .action(async (o: CommonOptions & { p?: string; variances: string; scaleEta?: boolean }) => { await load(); return cmdEscape(o); });
withResumeOptions(withCommonOptions(program.command('compare').description('ODE and SGD from the same initial condition, with their deviation')))
  .option('--workers <n>', 'worker threads for the runs of an ensemble (config key runs); default one per core')
  .action(async (o: SimOptions) => { await load('pool'); return cmdCompare(o); });

program.command('reproduce').description('re-measure the paper\'s claims from the configs in paper/ and write a Markdown report with figures')
  .option('-o, --out <dir>', 'report folder', parseOut, 'runs/reproduce')
  .option('--json', 'print the checks as JSON')
  .option('--no-progress', 'no progress display')
  .action(async (o: { out: string; progress: boolean; json?: boolean }) => { await load('reproduce'); return cmdReproduce(o); });

program.command('explore').description('serve the interactive explorer (ODE and SGD live in the browser) on 127.0.0.1')
  .option('--port <n>', 'port to listen on (0: any free port)', '4173')
  .action(async (o: { port: string }) => {
    const { url } = await startExplorer(parsePort(o.port));
    console.log(`onepass explorer at ${url} (127.0.0.1 only; Ctrl-C to stop)`);
  });
registerSweep(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof CommanderError) {
    // --help, `help CMD` and --version end here with 0; a bare `onepass` has printed its help on stderr.
    if (err.exitCode === 0) return;
    if (err.code !== 'commander.help') process.stderr.write(`error: ${clip(err.message.replace(/^error: /, '').split('\n')[0], 200)} (run with --help for usage)\n`);
    process.exitCode = 2;
    return;
  }
  // Only OnepassError (ConfigError is one) is the user's to fix: exit 2. Anything else, a RangeError
  // from deep inside included, is a bug in onepass and says so: exit 1 (README, "What the tool guarantees").
  const { user, line } = errorLine(err);
  process.stderr.write(`error: ${clip(line, 1000)}\n`);
  if (process.env.ONEPASS_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  process.exitCode = user ? 2 : 1;
});
