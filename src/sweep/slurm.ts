/**
 * A Slurm job-array script for a sharded sweep: task i of n runs `onepass sweep --shard i/n`
 * into its own folder (its own SQLite file: SQLite over a shared file system must not be
 * written by many nodes at once); `onepass sweep --collect` merges the folders afterwards.
 */
export interface SlurmOptions {
  readonly shards: number;
  /** Config file as the tasks will see it. */
  readonly configPath: string;
  readonly overrides: readonly string[];
  /** Sweep folder; shard i writes `<outDir>/shard-<i>`. */
  readonly outDir: string;
  readonly jobName?: string;
  readonly cpusPerTask?: number;
  readonly time?: string;
  /**
   * How the tasks call onepass, e.g. `node '/abs/path/dist/cli/main.js'` (what the CLI passes).
   * Required, with no `npx onepass` default: npx run outside the project would look the name up
   * on the npm registry and, with no terminal to ask, install whatever package has it.
   */
  readonly command: string;
  /** Folder the tasks run in (`#SBATCH --chdir`), so relative paths resolve as where it was written. */
  readonly workDir?: string;
}

/** A word for the shell: single-quoted, inner quotes escaped. */
export const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
const q = shellQuote;

export function slurmScript(o: SlurmOptions): string {
  const n = o.shards;
  const sets = o.overrides.map((s) => ` --set ${q(s)}`).join('');
  return [
    '#!/bin/bash',
    `#SBATCH --job-name=${o.jobName ?? 'onepass-sweep'}`,
    `#SBATCH --array=0-${n - 1}`,
    '#SBATCH --ntasks=1',
    `#SBATCH --cpus-per-task=${o.cpusPerTask ?? 4}`,
    `#SBATCH --time=${o.time ?? '04:00:00'}`,
    ...(o.workDir ? [`#SBATCH --chdir=${o.workDir}`] : []),
    `#SBATCH --output=${o.outDir}/slurm-%A_%a.out`,
    '# Each array task runs one shard into its own store; rerunning a task skips what it already did.',
    '# Afterwards merge the shards:',
    `#   ${o.command} sweep --collect ${o.outDir}/shard-* --out ${o.outDir}`,
    'set -euo pipefail',
    `${o.command} sweep --config ${q(o.configPath)}${sets} --shard "$SLURM_ARRAY_TASK_ID/${n}" --workers "\${SLURM_CPUS_PER_TASK:-1}" --out "${o.outDir}/shard-$SLURM_ARRAY_TASK_ID" --no-progress`,
    '',
  ].join('\n');
}
