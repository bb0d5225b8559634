/**
 * The library as the CLI sees it, loaded on demand. Importing all of it costs 0.2–0.3 s (zod and
 * ml-matrix for the config, the worker pool, SQLite, the report, the progress bar), which
 * `onepass --help` and a short `onepass ode` would pay for nothing. The commands import these
 * names as before; they are ESM live bindings, filled in by `load(...)`, which each command's
 * action awaits before it calls any of them. Types are imported from the modules themselves
 * (type imports load nothing).
 */
import type * as ConfigModule from '../src/model/config.js';
import type * as ProblemModule from '../src/model/problem.js';
import type * as SolveModule from '../src/solve.js';
import type * as OutputModule from '../src/model/output.js';
import type * as LossPlotModule from '../src/plot/loss.js';
import type * as AnalyzeModule from '../src/analysis/analyze.js';
import type * as PlateauModule from '../src/analysis/plateau.js';
import type * as EscapeModule from '../src/studies/escapeSweep.js';
import type * as DiagnosisModule from '../src/analysis/diagnosis.js';
import type * as StabilityModule from '../src/studies/stability.js';
import type * as FilesModule from '../src/io/files.js';
import type * as CheckpointModule from '../src/io/checkpoint.js';
import type * as PoolModule from '../src/io/ensemblePool.js';
import type * as GridModule from '../src/sweep/grid.js';
import type * as TableModule from '../src/sweep/table.js';
import type * as SlurmModule from '../src/sweep/slurm.js';
import type * as PhaseModule from '../src/plot/phase.js';
import type * as TheoryPlotModule from '../src/plot/theory.js';
import type * as HessianModule from '../src/analysis/hessian.js';
import type * as StoreModule from '../src/io/store.js';
import type * as SweepRunModule from '../src/io/sweep.js';
import type * as SweepExportModule from '../src/sweep/export.js';
import type * as ReproduceModule from './reproduce.js';
import type CliProgress from 'cli-progress';

// core: config → problem → ODE → output, analyses, figures, files
export let applyOverrides: typeof ConfigModule.applyOverrides, parseConfig: typeof ConfigModule.parseConfig;
export let makeProblem: typeof ProblemModule.makeProblem, initialCondition: typeof ProblemModule.initialCondition;
export let solve: typeof SolveModule.solve;
export let trajectoryJson: typeof OutputModule.trajectoryJson, ensembleJson: typeof OutputModule.ensembleJson, provenance: typeof OutputModule.provenance;
export let writeTrajectoryCsv: typeof OutputModule.writeTrajectoryCsv, writeJson: typeof OutputModule.writeJson, writeTrajectoryNpz: typeof OutputModule.writeTrajectoryNpz;
export let lossFigureSpec: typeof LossPlotModule.lossFigureSpec, curvesFigureSpec: typeof LossPlotModule.curvesFigureSpec, renderSvg: typeof LossPlotModule.renderSvg;
export let analyzeRun: typeof AnalyzeModule.analyzeRun, analysisPlan: typeof AnalyzeModule.analysisPlan, analyzeLossCurve: typeof PlateauModule.analyzeLossCurve;
export let escapeSweep: typeof EscapeModule.escapeSweep, escapeCsv: typeof EscapeModule.escapeCsv;
export let odeStability: typeof StabilityModule.odeStability;
export let divergenceDiagnosis: typeof DiagnosisModule.divergenceDiagnosis, diagnoseDeviation: typeof DiagnosisModule.diagnoseDeviation;
export let theoryLossSeries: typeof TheoryPlotModule.theoryLossSeries, theoryRules: typeof TheoryPlotModule.theoryRules, hessianTrajectorySpec: typeof TheoryPlotModule.hessianTrajectorySpec;
export let hessianTrajectoryCsv: typeof HessianModule.hessianTrajectoryCsv;
export let readJsonFile: typeof FilesModule.readJsonFile, prepareOutDir: typeof FilesModule.prepareOutDir;
export let writeFileAtomic: typeof FilesModule.writeFileAtomic, svgToPng: typeof FilesModule.svgToPng, svgToPdf: typeof FilesModule.svgToPdf;
export let prepareRunFolder: typeof FilesModule.prepareRunFolder, writeRunFolder: typeof FilesModule.writeRunFolder;
export let streamToFd: typeof FilesModule.streamToFd, writeFileSet: typeof FilesModule.writeFileSet;
// cli-progress, only when stderr is a terminal: the only time the commands draw a bar
export let cliProgress: typeof CliProgress;
// pool: SGD ensembles on worker threads
export let readCheckpoint: typeof CheckpointModule.readCheckpoint, checkpointWriter: typeof CheckpointModule.checkpointWriter;
export let refuseToOverwriteCheckpoint: typeof CheckpointModule.refuseToOverwriteCheckpoint;
export let simulateEnsembleOnPool: typeof PoolModule.simulateEnsembleOnPool;
// sweep: grids, the store, the pool of points, tables, Slurm scripts, phase diagrams
export let expandSweep: typeof GridModule.expandSweep, flattenConfig: typeof GridModule.flattenConfig, parseShard: typeof GridModule.parseShard, shardPoints: typeof GridModule.shardPoints;
export let resultsTable: typeof TableModule.resultsTable, tableCsv: typeof TableModule.tableCsv, columnIndex: typeof TableModule.columnIndex;
export let slurmScript: typeof SlurmModule.slurmScript, shellQuote: typeof SlurmModule.shellQuote;
export let slurmCollectScript: typeof SlurmModule.slurmCollectScript, slurmSubmitScript: typeof SlurmModule.slurmSubmitScript, parseSlurmTemplate: typeof SlurmModule.parseSlurmTemplate;
export let phaseDiagramSpec: typeof PhaseModule.phaseDiagramSpec;
export let ResultStore: typeof StoreModule.ResultStore, pointKey: typeof StoreModule.pointKey;
export let tablePoints: typeof SweepExportModule.tablePoints, writeSweepNpz: typeof SweepExportModule.writeSweepNpz, writeSweepCsv: typeof SweepExportModule.writeSweepCsv, writeSweepJson: typeof SweepExportModule.writeSweepJson;
export type ResultStore = StoreModule.ResultStore;
export let runSweep: typeof SweepRunModule.runSweep, defaultWorkers: typeof SweepRunModule.defaultWorkers;
// reproduce: the paper report
export let reproduce: typeof ReproduceModule.reproduce;

const parts = {
  async core(): Promise<void> {
    const [config, problem, solveModule, output, lossPlot, analyze, plateau, escape, diagnosis, stability, files, checkpoint, progress, theoryPlot, hessian] = await Promise.all([
      import('../src/model/config.js'), import('../src/model/problem.js'), import('../src/solve.js'),
      import('../src/model/output.js'), import('../src/plot/loss.js'),
      import('../src/analysis/analyze.js'), import('../src/analysis/plateau.js'),
      import('../src/studies/escapeSweep.js'), import('../src/analysis/diagnosis.js'), import('../src/studies/stability.js'),
      import('../src/io/files.js'), import('../src/io/checkpoint.js'), process.stderr.isTTY ? import('cli-progress') : undefined,
      import('../src/plot/theory.js'), import('../src/analysis/hessian.js'),
    ]);
    ({ theoryLossSeries, theoryRules, hessianTrajectorySpec } = theoryPlot);
    ({ hessianTrajectoryCsv } = hessian);
    ({ applyOverrides, parseConfig } = config);
    ({ makeProblem, initialCondition } = problem);
    ({ solve } = solveModule);
    ({ trajectoryJson, ensembleJson, writeTrajectoryCsv, writeJson, provenance, writeTrajectoryNpz } = output);
    ({ lossFigureSpec, curvesFigureSpec } = lossPlot);
    // Laid out with the metrics of DejaVu Sans, the font the PNG and PDF are drawn in.
    renderSvg = (spec, measure = files.dejavuTextWidth) => lossPlot.renderSvg(spec, measure);
    ({ analyzeRun, analysisPlan } = analyze);
    ({ analyzeLossCurve } = plateau);
    ({ escapeSweep, escapeCsv } = escape);
    ({ divergenceDiagnosis, diagnoseDeviation } = diagnosis);
    ({ odeStability } = stability);
    ({ readJsonFile, prepareOutDir, writeFileAtomic, svgToPng, svgToPdf, prepareRunFolder, writeRunFolder, streamToFd, writeFileSet } = files);
    // Checkpoints are core: every command with --out refuses to overwrite an interrupted run's.
    ({ readCheckpoint, checkpointWriter, refuseToOverwriteCheckpoint } = checkpoint);
    if (progress) cliProgress = progress.default;
  },
  async pool(): Promise<void> {
    ({ simulateEnsembleOnPool } = await import('../src/io/ensemblePool.js'));
  },
  async sweep(): Promise<void> {
    const [grid, table, slurm, phase, store, run, exporter] = await Promise.all([
      import('../src/sweep/grid.js'), import('../src/sweep/table.js'), import('../src/sweep/slurm.js'),
      import('../src/plot/phase.js'), import('../src/io/store.js'), import('../src/io/sweep.js'), import('../src/sweep/export.js'),
    ]);
    ({ expandSweep, flattenConfig, parseShard, shardPoints } = grid);
    ({ resultsTable, tableCsv, columnIndex } = table);
    ({ slurmScript, shellQuote, slurmCollectScript, slurmSubmitScript, parseSlurmTemplate } = slurm);
    ({ phaseDiagramSpec } = phase);
    ({ ResultStore, pointKey } = store);
    ({ tablePoints, writeSweepNpz, writeSweepCsv, writeSweepJson } = exporter);
    ({ runSweep, defaultWorkers } = run);
  },
  async reproduce(): Promise<void> {
    ({ reproduce } = await import('./reproduce.js'));
  },
};

/**
 * Loads the core and the named further parts of the library; a command's action awaits this
 * before anything else. The core always loads: every command reads a config and writes outputs.
 */
export async function load(...names: Exclude<keyof typeof parts, 'core'>[]): Promise<void> {
  await Promise.all([parts.core(), ...names.map((name) => parts[name]())]);
}
