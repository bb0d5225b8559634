/**
 * `onepass sweep`: a grid over config keys run on every core, with results in an SQLite store
 * (`<out>/results.db`, written point by point, so a rerun recomputes nothing already done),
 * exported to `<out>/results.csv`, optionally drawn as a phase diagram. Also sharding
 * (`--shard i/n`), a Slurm job-array script (`--slurm n`) and merging shard stores (`--collect`).
 * A thin shell: the grid, the point computation, the table and the figure are library code.
 */
import type { Command } from 'commander';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { OnepassError } from '../../src/model/errors.js';
import { RESULT_COLUMNS, NUMERIC_RESULT_COLUMNS, SWEEP_EXPORT_FORMATS, type SweepExportFormat } from '../../src/sweep/columns.js';
import type { SweepPlan, SweepSolver } from '../../src/sweep/grid.js';
import type { Table } from '../../src/sweep/table.js';
import type { SweepSummary } from '../../src/io/sweep.js';
import type { OutputProducer } from '../../src/io/files.js';
// The library loads on demand (see library.ts): the action awaits load(...) first.
import {
  load, applyOverrides, renderSvg, expandSweep, flattenConfig, parseShard, shardPoints, resultsTable, tableCsv, columnIndex, slurmScript, slurmCollectScript, slurmSubmitScript, parseSlurmTemplate, shellQuote,
  phaseDiagramSpec, ResultStore, runSweep, pointKey, tablePoints, writeSweepNpz, writeSweepCsv, writeSweepJson, defaultWorkers, readJsonFile, prepareOutDir, writeFileAtomic, writeFileSet, svgToPng, svgToPdf, cliProgress,
} from '../library.js';
import { parseOut, parseWorkers } from '../options.js';
import { terminalBar, logProgress, type Progress } from '../progress.js';
import { sgdWork, sdeWork, odeSeconds, checkTime, estimateNote, MAX_STEPS } from '../../src/model/budget.js';
import { makeProblem } from '../../src/model/problem.js';
import { sdeSetup } from '../../src/sde/ensemble.js';
import type { SweepPoint } from '../../src/sweep/grid.js';

interface SweepOptions {
  config?: string;
  set: string[];
  out: string;
  workers?: string;
  shard?: string;
  slurm?: string;
  slurmTemplate?: string;
  slurmCollect?: boolean;
  collect?: string[];
  export?: string;
  plot?: string;
  plotOnly?: boolean;
  plotWhere: string[];
  plotAverage?: boolean;
  json?: boolean;
  progress: boolean;
  yes?: boolean;
}

const DB = 'results.db';
const CSV = 'results.csv';
const PHASE = ['phase.svg', 'phase.png', 'phase.pdf'];

function positiveInt(name: string, raw: string): number {
  const v = Number(raw);
  if (!Number.isInteger(v) || v < 1) throw new OnepassError(`--${name}: expected an integer ≥ 1 (got "${raw}")`);
  return v;
}

function loadSweep(opts: SweepOptions) {
  const base = opts.config ? readJsonFile(opts.config) : {};
  if (base === null || typeof base !== 'object' || Array.isArray(base)) throw new OnepassError(`--config ${opts.config}: must hold a JSON object`);
  return expandSweep(applyOverrides(base as Record<string, unknown>, opts.set));
}

interface PlotRequest { x: string; y: string; color: string; solver?: SweepSolver; where: Record<string, string>; average: boolean }

/**
 * Reads --plot X,Y[,COLUMN[,SOLVER]] with --plot-where and --plot-average. With the plan of a
 * sweep about to run, the columns and the solver are checked against what that sweep will store,
 * and a diagram that would average silently (both solvers, or a third swept key neither fixed
 * nor averaged) fails before the computation.
 */
function parsePlot(opts: SweepOptions, plan?: SweepPlan, time: 'alpha' | 't' = 'alpha'): PlotRequest {
  const raw = opts.plot!;
  // The default colour is the escape in the config's time unit (src/model/time.ts).
  const [x, y, color = time === 't' ? 'escape_t' : 'escape_alpha', solver] = raw.split(',').map((s) => s.trim());
  if (!x || !y) throw new OnepassError(`--plot: expected X,Y[,COLUMN[,SOLVER]] with two config keys (got "${raw}")`);
  if (solver !== undefined && solver !== 'ode' && solver !== 'sgd' && solver !== 'sde') throw new OnepassError(`--plot: the solver must be ode, sgd or sde (got "${solver}")`);
  const where: Record<string, string> = {};
  for (const w of opts.plotWhere) {
    const m = /^([^=]+)=(.+)$/.exec(w);
    if (!m) throw new OnepassError(`--plot-where: expected key=value, e.g. N=2000 (got "${w}")`);
    where[m[1].trim()] = m[2].trim();
  }
  if (plan) {
    const configColumns = [...new Set(plan.points.flatMap((p) => Object.keys(flattenConfig(p.config))))];
    const columns: Table = { columns: [...configColumns, 'solver', ...RESULT_COLUMNS], rows: [] };
    for (const name of [x, y, color]) columnIndex(columns, name, '--plot');
    for (const name of Object.keys(where)) columnIndex(columns, name, '--plot-where');
    if (solver !== undefined && !plan.solvers.includes(solver)) throw new OnepassError(`--plot: this sweep runs solver ${plan.solvers.join(' + ')}, not ${solver}`);
    if (solver === undefined && plan.solvers.length > 1) throw new OnepassError(`--plot: this sweep runs solvers ${plan.solvers.join(' and ')}, which are not averaged: name one, e.g. --plot ${x},${y},${color},sgd`);
    const others = plan.keys.filter((k) => k !== x && k !== y && !(k in where));
    if (others.length && !opts.plotAverage) throw new OnepassError(`--plot: this sweep also sweeps ${others.join(', ')}: fix ${others.length > 1 ? 'them' : 'it'} with --plot-where ${others[0]}=VALUE, or average over ${others.length > 1 ? 'them' : 'it'} with --plot-average`);
  }
  return { x, y, color, solver: solver as SweepSolver | undefined, where, average: !!opts.plotAverage };
}

/** The phase diagram asked for by --plot, as phase.svg, phase.png and phase.pdf. */
async function phaseFiles(table: Table, opts: SweepOptions): Promise<[string, string | Uint8Array][]> {
  if (!opts.plot) return [];
  const timeColumn = table.columns.indexOf('time');
  const time = timeColumn >= 0 && table.rows.length > 0 && table.rows.every((r) => r[timeColumn] === 't') ? 't' : 'alpha';
  const { x, y, color, solver, where, average } = parsePlot(opts, undefined, time);
  // Escape times are read on a linear scale; losses and deviations span decades.
  const svg = await renderSvg(phaseDiagramSpec(table, { x, y, color, solver, where, average, logColor: color !== 'escape_alpha' && color !== 'escape_t' }));
  return [['phase.svg', svg], ['phase.png', svgToPng(svg)], ['phase.pdf', await svgToPdf(svg)]];
}

/**
 * Writes the exports of the whole store as one set (writeFileSet): results.csv and, when asked,
 * the phase diagram. Without --plot, a phase diagram of an earlier set (fewer rows) is removed
 * rather than left beside a results.csv it does not show. Returns the files written and removed.
 */
async function writeExports(store: ResultStore, opts: SweepOptions, only?: readonly SweepPoint[]): Promise<{ files: string[]; removed: string[] }> {
  const table = resultsTable(store.rows());
  // After a run, the diagram shows that sweep's points, not older rows of the store (another N, another grid).
  const keys = only && new Set(only.map((p) => `${pointKey(p.config, p.solver)}/${p.solver}`));
  const hashColumn = table.columns.indexOf('config_hash'), solverColumn = table.columns.indexOf('solver');
  const phase = await phaseFiles(keys ? { ...table, rows: table.rows.filter((r) => keys.has(`${r[hashColumn]}/${r[solverColumn]}`)) } : table, opts);
  const stale = phase.length ? [] : PHASE.filter((name) => existsSync(join(opts.out, name)));
  const files = writeFileSet(opts.out, [[CSV, tableCsv(table)], ...phase], stale);
  return { files, removed: stale.map((name) => join(opts.out, name)) };
}

const removedText = (removed: string[]) => (removed.length ? `; removed ${removed.join(', ')} (drawn from earlier rows; --plot draws it again)` : '');

/** Refuses before computing a sweep no machine can finish, and asks for --yes above a day (src/model/budget.ts). */
function checkSweepWork(points: readonly SweepPoint[], workers: number, yes: boolean | undefined): string | null {
  let seconds = 0;
  for (const p of points) {
    // An SGD or SDE point also integrates the ODE, for its deviation; the runs of a point go one after another.
    const sgd = p.solver === 'sgd' ? sgdWork(p.config, 1) : undefined;
    if (sgd && !(sgd.stepsPerRun <= MAX_STEPS)) throw new OnepassError(`alphaMax: point ${p.index}: α_max·N = ${sgd.stepsPerRun.toPrecision(3)} SGD steps per run is beyond what can be counted exactly (2⁵³); lower alphaMax or N`);
    const sde = p.solver === 'sde' ? sdeWork(p.config, sdeSetup(makeProblem(p.config)) !== null).seconds : 0; // a bad sdeNoise fails here
    seconds += (sgd?.seconds ?? 0) + sde + odeSeconds(p.config);
  }
  const wall = seconds / Math.max(1, Math.min(workers, points.length));
  checkTime(wall, `${points.length} points`, 'lower alphaMax, N or runs', yes);
  // Work beyond a minute is announced when it starts (progressBar), after every other check.
  return estimateNote(wall, `${points.length} points`);
}

/** Points done of the total: a bar on a terminal, lines in a log (cli/progress.ts); first the time estimate, if any. */
function progressBar(total: number, opts: SweepOptions, note: string | null): Progress {
  if (!opts.progress) return { update: () => {}, stop: () => {} };
  if (note) process.stderr.write(`${note}\n`);
  return process.stderr.isTTY ? terminalBar(cliProgress, 'sweep', total, 'points') : logProgress('sweep', total, (l) => process.stderr.write(l), 'points');
}

/**
 * --export FORMAT: results.csv and trajectories.FORMAT (src/sweep/export.ts) written as one set
 * from the store, computing nothing. Returns the files written and the rows without a trajectory.
 */
function exportTrajectories(store: ResultStore, opts: SweepOptions, format: SweepExportFormat): { files: string[]; missing: number } {
  const table = resultsTable(store.rows());
  const points = tablePoints(table);
  const lookup = (hash: string, solver: SweepSolver) => store.trajectory(hash, solver);
  const missing = points.filter((p) => !lookup(p.configHash, p.solver)).length;
  const max = (name: string) => Math.max(1, ...table.rows.map((r) => Number(r[table.columns.indexOf(name)]) || 0));
  const trainsV = table.rows.some((r) => r[table.columns.indexOf('trainSecondLayer')] === true);
  const producer: OutputProducer = format === 'npz' ? (write) => writeSweepNpz(points, lookup, write)
    : format === 'csv' ? (write) => writeSweepCsv(points, lookup, { p: max('p'), pStar: max('pStar'), v: trainsV }, write)
      : (write) => writeSweepJson(points, lookup, write);
  const files = writeFileSet(opts.out, [[CSV, tableCsv(table)], [`trajectories.${format}`, producer]]);
  return { files, missing };
}

/**
 * A sweep with neither --config nor --set is the default config: into a store that already holds
 * other points it would add a point no one asked for. Refused unless every point of the plan is
 * already there (then nothing is computed: the store's own sweep).
 */
function refuseDefaultIntoStore(opts: SweepOptions, points: readonly SweepPoint[]): void {
  if (opts.config || opts.set.length > 0 || !existsSync(join(opts.out, DB))) return;
  const store = ResultStore.openReadonly(join(opts.out, DB));
  try {
    const rows = store.count();
    const done = store.doneKeys();
    if (rows > 0 && points.some((p) => !done.has(`${pointKey(p.config, p.solver)}/${p.solver}`))) {
      throw new OnepassError(`sweep: ${join(opts.out, DB)} holds ${rows} point(s) of another sweep and no --config or --set was given; give the sweep's --config (or --set), --plot-only X,Y to redraw, --export FORMAT to export, or another --out`);
    }
  } finally { store.close(); }
}

async function cmdSweep(opts: SweepOptions): Promise<void> {
  if (!opts.slurm && (opts.slurmTemplate || opts.slurmCollect)) throw new OnepassError(`--${opts.slurmTemplate ? 'slurm-template' : 'slurm-collect'}: only with --slurm n (it shapes the job scripts)`);
  if (opts.export !== undefined && !(SWEEP_EXPORT_FORMATS as readonly string[]).includes(opts.export)) throw new OnepassError(`--export: must be one of ${SWEEP_EXPORT_FORMATS.join(', ')} (got "${opts.export}")`);
  if (opts.plotOnly && !opts.plot) throw new OnepassError('--plot-only: needs --plot X,Y[,COLUMN[,SOLVER]] (the diagram to redraw from the store)');
  if (opts.plotOnly && (opts.export || opts.collect || opts.slurm || opts.shard)) throw new OnepassError('--plot-only: redraws from the store alone; it takes none of --export, --collect, --slurm, --shard');
  if (opts.collect) {
    prepareOutDir(opts.out);
    const store = ResultStore.open(join(opts.out, DB));
    try {
      const added = opts.collect.map((dir) => ({ dir, added: store.merge(join(dir, DB)) }));
      const { files, removed } = await writeExports(store, opts);
      const summary = { collected: added, rows: store.count(), files, removed };
      if (opts.json) process.stdout.write(JSON.stringify(summary) + '\n');
      else console.log(`collected ${added.map((a) => `${a.added} new from ${a.dir}`).join(', ')}; ${summary.rows} rows in ${join(opts.out, DB)}; wrote ${files.join(', ')}${removedText(removed)}`);
    } finally { store.close(); }
    return;
  }

  if (opts.export || opts.plotOnly) {
    const store = ResultStore.openReadonly(join(opts.out, DB));
    try {
      if (opts.plotOnly) {
        // Computes nothing: the diagram and a results.csv of the same rows, as one set.
        const table = resultsTable(store.rows());
        const files = writeFileSet(opts.out, [[CSV, tableCsv(table)], ...(await phaseFiles(table, opts))]);
        if (opts.json) process.stdout.write(JSON.stringify({ rows: table.rows.length, files }) + '\n');
        else console.log(`redrew from ${table.rows.length} stored rows, nothing computed; wrote ${files.join(', ')}`);
      } else {
        const { files, missing } = exportTrajectories(store, opts, opts.export as SweepExportFormat);
        const rows = store.count();
        if (opts.json) process.stdout.write(JSON.stringify({ rows, withoutTrajectory: missing, files }) + '\n');
        else console.log(`exported ${rows - missing} of ${rows} stored points' trajectories${missing ? ` (${missing} row(s) from an older store keep no trajectory; the next sweep over them recomputes them)` : ''}; wrote ${files.join(', ')}`);
      }
    } finally { store.close(); }
    return;
  }

  const plan = loadSweep(opts); // validates every point before anything runs or is written
  if (opts.plot) parsePlot(opts, plan);
  const workers = opts.workers ? parseWorkers(opts.workers) : defaultWorkers();
  const shard = opts.shard ? parseShard(opts.shard) : { index: 0, count: 1 };
  prepareOutDir(opts.out);
  if (opts.slurm) {
    if (!opts.config) throw new OnepassError('--slurm: needs --config FILE (the array tasks read the sweep from it)');
    const shards = positiveInt('slurm', opts.slurm);
    const template = opts.slurmTemplate ? parseSlurmTemplate(readJsonFile(opts.slurmTemplate), `--slurm-template ${opts.slurmTemplate}`) : undefined;
    const path = join(opts.out, 'sweep.slurm');
    // The tasks call this very CLI by absolute path, in this folder (see SlurmOptions.command).
    const command = `node ${shellQuote(fileURLToPath(new URL('../main.js', import.meta.url)))}`;
    const slurm = { shards, configPath: opts.config, overrides: opts.set, outDir: opts.out, command, workDir: process.cwd(), template, collectArgs: opts.plot ? ['--plot', opts.plot] : [] };
    const files: [string, string][] = [['sweep.slurm', slurmScript(slurm)]];
    if (opts.slurmCollect) {
      files.push(['collect.slurm', slurmCollectScript(slurm)]);
      files.push(['submit.sh', slurmSubmitScript(resolve(path), resolve(opts.out, 'collect.slurm'))]);
    }
    for (const [name, text] of files) writeFileAtomic(join(opts.out, name), text);
    const submit = opts.slurmCollect ? `bash ${join(opts.out, 'submit.sh')}` : `sbatch ${path}`;
    if (opts.json) process.stdout.write(JSON.stringify({ script: path, ...(opts.slurmCollect ? { collect: join(opts.out, 'collect.slurm'), submit: join(opts.out, 'submit.sh') } : {}), shards, points: plan.points.length }) + '\n');
    else console.log(`wrote ${files.map(([n]) => join(opts.out, n)).join(', ')}: ${shards} array tasks over ${plan.points.length} points${opts.slurmCollect ? ', then a job collecting the shards' : ''}; submit with  ${submit}`);
    return;
  }

  const points = shardPoints(plan.points, shard);
  refuseDefaultIntoStore(opts, points);
  const note = checkSweepWork(points, workers, opts.yes);
  const store = ResultStore.open(join(opts.out, DB));
  let summary: SweepSummary;
  try {
    const bar = progressBar(points.length, opts, note);
    try {
      summary = await runSweep(points, store, { workers, onProgress: (d) => bar.update(d) });
    } finally { bar.stop(); }
    const { files, removed } = await writeExports(store, opts, plan.points);
    const shardText = shard.count > 1 ? ` (shard ${shard.index}/${shard.count} of ${plan.points.length})` : '';
    if (opts.json) process.stdout.write(JSON.stringify({ ...summary, shard, keys: plan.keys, store: join(opts.out, DB), files, removed }) + '\n');
    else {
      console.log(`onepass sweep: ${summary.total} points${shardText} over ${plan.keys.length ? plan.keys.join(', ') : 'no swept key'}; solver ${plan.solvers.join(' + ')}`);
      const stale = summary.otherVersion ? `; ${summary.otherVersion} recomputed because another onepass version stored them` : '';
      console.log(`${summary.cached} cached, ${summary.computed} computed (${summary.notCompleted} diverged or failed${stale}), ${summary.errors.length} errors; ${summary.workers} worker(s), ${summary.seconds.toFixed(1)} s`);
      console.log(`store ${join(opts.out, DB)}; wrote ${files.join(', ')}${removedText(removed)}`);
    }
  } finally { store.close(); }
  for (const e of summary.errors) process.stderr.write(`warning: point ${e.index}: ${e.message}\n`);
  if (summary.errors.length > 0) process.exitCode = 3;
}

export function registerSweep(program: Command): void {
    program.command('sweep').description('a grid over config keys (lists become sweeps) on every core, stored in SQLite, exported to CSV')
      .option('-c, --config <file>', 'sweep config: a config JSON whose scalar keys may be lists, plus "solver": "ode" | "sgd" | "sde" | "both" (ode and sgd)')
      .option('-s, --set <key=value>', 'override a key by dotted path; a JSON list sweeps it, e.g. p=[2,4,8] (repeatable)', (v: string, prev: string[]) => [...prev, v], [] as string[])
      .option('-o, --out <dir>', `sweep folder: ${DB} (the store), ${CSV}, phase.svg/png/pdf`, parseOut, 'runs/sweep')
      .option('-w, --workers <n>', `worker threads (default: every core, ${availableParallelism()} here)`)
      .option('--shard <i/n>', 'run only the points whose index ≡ i (mod n)')
      .option('--slurm <n>', 'write <out>/sweep.slurm, a Slurm job array of n shards, and run nothing')
      .option('--slurm-template <file>', 'with --slurm: JSON job template, keys partition, account, time, cpusPerTask, mem, sbatch (more #SBATCH options), setup (shell lines such as "module load nodejs/20"), jobName, collectTime')
      .option('--slurm-collect', 'with --slurm: also write collect.slurm, a job merging the shards after the array succeeds (--dependency=afterok), and submit.sh queueing both')
      .option('--collect <dirs...>', 'merge the stores of these sweep folders (shards) into <out>')
      .option('--export <format>', `compute nothing: write <out>/${CSV} and <out>/trajectories.<format> (${SWEEP_EXPORT_FORMATS.join(' | ')}), every stored point's trajectory keyed by its row in ${CSV}`)
      .option('--plot <x,y[,column[,solver]]>', `phase diagram of a result column (${NUMERIC_RESULT_COLUMNS.join(', ')}; default escape_alpha, or escape_t with time "t") over two config keys`)
      .option('--plot-only', 'compute nothing: redraw the --plot diagram (and results.csv) from the store of <out>')
      .option('--plot-where <key=value>', 'draw only the rows with this config value, e.g. N=2000 (repeatable)', (v: string, prev: string[]) => [...prev, v], [] as string[])
      .option('--plot-average', 'average each cell over the other keys that vary in it (the subtitle says which); without it such a diagram is refused')
      .option('--json', 'print the summary as one JSON document')
      .option('--yes', 'run even when the estimated time is more than a day')
      .option('--no-progress', 'no progress bar on a terminal, no progress lines in a log (stderr not a terminal)')
      .action(async (o: SweepOptions) => { await load('sweep'); return cmdSweep(o); });
}
