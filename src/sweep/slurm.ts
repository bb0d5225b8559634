/**
 * Slurm scripts for a sharded sweep: a job array where task i of n runs `onepass sweep --shard
 * i/n` into its own folder (its own SQLite file: SQLite over a shared file system must not be
 * written by many nodes at once), and optionally a collecting job that merges the folders
 * (`onepass sweep --collect`) once every task has succeeded (`--dependency=afterok`), with a
 * submit script that queues both. The cluster's own settings (partition, account, time, CPUs,
 * `module load` lines) come from a job template (`--slurm-template FILE`, JSON).
 */
import { z } from 'zod';
import { ConfigError } from '../model/errors.js';

/** The site-specific part of the job scripts; every key optional. */
export interface SlurmTemplate {
  readonly jobName?: string;
  readonly partition?: string;
  readonly account?: string;
  /** Wall time of each array task, Slurm's syntax (e.g. "04:00:00", "1-00:00:00"). */
  readonly time?: string;
  readonly cpusPerTask?: number;
  /** Memory per node, Slurm's syntax (e.g. "8G"). */
  readonly mem?: string;
  /** Further `#SBATCH` options, e.g. ["--qos=normal", "--constraint=avx2"]. */
  readonly sbatch?: readonly string[];
  /** Shell lines run before onepass in every job, e.g. ["module load nodejs/20", "export OMP_NUM_THREADS=1"]. */
  readonly setup?: readonly string[];
  /** Wall time of the collecting job. */
  readonly collectTime?: string;
}

// A value on an #SBATCH line must be one word: a space or newline would end the directive or start a new line.
const word = z.string().regex(/^[^\s'"]+$/, 'one word, no spaces or quotes');
const slurmTime = z.string().regex(/^(\d+-)?\d+(:\d{1,2}){0,2}$/, 'Slurm time: minutes, MM:SS, HH:MM:SS or D-HH:MM:SS');
const TEMPLATE = z.strictObject({
  jobName: word.optional(),
  partition: word.optional(),
  account: word.optional(),
  time: slurmTime.optional(),
  cpusPerTask: z.number().int().min(1).max(4096).optional(),
  mem: z.string().regex(/^\d+[KMGT]?$/, 'Slurm memory: a number with K, M, G or T').optional(),
  sbatch: z.array(z.string().regex(/^--?[A-Za-z][\w-]*(=[^\n]*)?$/, 'an sbatch option such as --qos=normal')).optional(),
  setup: z.array(z.string().regex(/^[^\n]*$/, 'one shell line each')).optional(),
  collectTime: slurmTime.optional(),
});

/** Validates a job template (parsed JSON); errors name the key, e.g. `--slurm-template: time: Slurm time: …`. */
export function parseSlurmTemplate(value: unknown, field = '--slurm-template'): SlurmTemplate {
  const r = TEMPLATE.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const key = issue.path.join('.');
  const what = issue.code === 'unrecognized_keys' ? `unknown key(s) ${issue.keys.join(', ')}; allowed: ${Object.keys(TEMPLATE.shape).join(', ')}` : issue.message;
  throw new ConfigError(field, key ? `${key}: ${what}` : what);
}

export interface SlurmOptions {
  readonly shards: number;
  /** Config file as the tasks will see it. */
  readonly configPath: string;
  readonly overrides: readonly string[];
  /** Sweep folder; shard i writes `<outDir>/shard-<i>`. */
  readonly outDir: string;
  /** Cluster settings; defaults: job name onepass-sweep, 4 CPUs per task, 4 h. */
  readonly template?: SlurmTemplate;
  /**
   * How the tasks call onepass, e.g. `node '/abs/path/dist/cli/main.js'` (what the CLI passes).
   * Required, with no `npx onepass` default: npx run outside the project would look the name up
   * on the npm registry and, with no terminal to ask, install whatever package has it.
   */
  readonly command: string;
  /** Folder the tasks run in (`#SBATCH --chdir`), so relative paths resolve as where it was written. */
  readonly workDir?: string;
  /** Extra arguments of the collecting job's `sweep --collect`, e.g. ["--plot", "eta,p"]. */
  readonly collectArgs?: readonly string[];
}

/** A word for the shell: single-quoted, inner quotes escaped. */
export const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
const q = shellQuote;

/** The #SBATCH header lines and setup lines shared by both jobs. */
function header(o: SlurmOptions, name: string, cpus: number, time: string, output: string): string[] {
  const t = o.template ?? {};
  return [
    '#!/bin/bash',
    `#SBATCH --job-name=${name}`,
    ...(t.partition ? [`#SBATCH --partition=${t.partition}`] : []),
    ...(t.account ? [`#SBATCH --account=${t.account}`] : []),
    '#SBATCH --ntasks=1',
    `#SBATCH --cpus-per-task=${cpus}`,
    `#SBATCH --time=${time}`,
    ...(t.mem ? [`#SBATCH --mem=${t.mem}`] : []),
    ...(t.sbatch ?? []).map((s) => `#SBATCH ${s}`),
    ...(o.workDir ? [`#SBATCH --chdir=${o.workDir}`] : []),
    `#SBATCH --output=${output}`,
  ];
}

const setupLines = (o: SlurmOptions) => ['set -euo pipefail', ...(o.template?.setup ?? [])];
const collectCommand = (o: SlurmOptions) => `${o.command} sweep --collect ${o.outDir}/shard-* --out ${o.outDir}${(o.collectArgs ?? []).map((a) => ` ${q(a)}`).join('')} --no-progress`;

/** The job array: task i runs shard i/n with as many workers as it has CPUs. */
export function slurmScript(o: SlurmOptions): string {
  const n = o.shards, t = o.template ?? {};
  const sets = o.overrides.map((s) => ` --set ${q(s)}`).join('');
  const lines = header(o, t.jobName ?? 'onepass-sweep', t.cpusPerTask ?? 4, t.time ?? '04:00:00', `${o.outDir}/slurm-%A_%a.out`);
  lines.splice(2, 0, `#SBATCH --array=0-${n - 1}`);
  return [
    ...lines,
    '# Each array task runs one shard into its own store; rerunning a task skips what it already did.',
    '# Afterwards merge the shards (collect.slurm does, when written with --slurm-collect):',
    `#   ${collectCommand(o)}`,
    ...setupLines(o),
    `${o.command} sweep --config ${q(o.configPath)}${sets} --shard "$SLURM_ARRAY_TASK_ID/${n}" --workers "\${SLURM_CPUS_PER_TASK:-1}" --out "${o.outDir}/shard-$SLURM_ARRAY_TASK_ID" --no-progress`,
    '',
  ].join('\n');
}

/** The collecting job: one CPU, merges every shard's store into the sweep folder and writes its exports. */
export function slurmCollectScript(o: SlurmOptions): string {
  const t = o.template ?? {};
  return [
    ...header(o, `${t.jobName ?? 'onepass-sweep'}-collect`, 1, t.collectTime ?? '01:00:00', `${o.outDir}/slurm-collect-%j.out`),
    '# Runs after every task of the array succeeded (submit.sh queues it with --dependency=afterok).',
    ...setupLines(o),
    collectCommand(o),
    '',
  ].join('\n');
}

/**
 * Queues the array, then the collecting job on `afterok` of the whole array (a failed task
 * leaves it pending: fix and rerun the task, or `scancel` it). Prints both job ids. Arguments
 * are passed to both sbatch calls (e.g. `bash submit.sh --qos=debug`).
 */
export function slurmSubmitScript(arrayScript: string, collectScript: string): string {
  return [
    '#!/bin/bash',
    'set -euo pipefail',
    `array=$(sbatch --parsable "$@" ${q(arrayScript)})`,
    'array=${array%%;*}',
    `collect=$(sbatch --parsable "$@" --dependency=afterok:"$array" ${q(collectScript)})`,
    'collect=${collect%%;*}',
    'echo "array job $array, collecting job $collect (after the array succeeds)"',
    '',
  ].join('\n');
}
