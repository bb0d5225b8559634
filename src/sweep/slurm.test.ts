/** The text of the Slurm scripts: the job template's settings, the collecting job and the submit script (cli/slurm.test.ts submits them to a real Slurm). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { slurmScript, slurmCollectScript, slurmSubmitScript, parseSlurmTemplate } from './slurm.js';

const base = { shards: 3, configPath: 'grid.json', overrides: [], outDir: 'runs/s', command: "node '/opt/onepass/dist/cli/main.js'" };
const directives = (s: string) => s.split('\n').filter((l) => l.startsWith('#SBATCH'));

test('without a template the array keeps its defaults: 4 CPUs, 4 h, no partition or account', () => {
  const d = directives(slurmScript(base));
  assert.deepEqual(d, ['#SBATCH --job-name=onepass-sweep', '#SBATCH --array=0-2', '#SBATCH --ntasks=1', '#SBATCH --cpus-per-task=4', '#SBATCH --time=04:00:00', '#SBATCH --output=runs/s/slurm-%A_%a.out']);
});

test('the template sets partition, account, time, CPUs, memory and extra #SBATCH lines, and its setup lines run before onepass', () => {
  const template = parseSlurmTemplate({ partition: 'cpu', account: 'proj42', time: '1-12:00:00', cpusPerTask: 16, mem: '8G', sbatch: ['--qos=long'], setup: ['module load nodejs/20', 'export TMPDIR=/scratch'] });
  const s = slurmScript({ ...base, template });
  const d = directives(s);
  for (const l of ['--partition=cpu', '--account=proj42', '--time=1-12:00:00', '--cpus-per-task=16', '--mem=8G', '--qos=long']) assert.ok(d.includes(`#SBATCH ${l}`), l);
  const body = s.split('\n').filter((l) => !l.startsWith('#'));
  assert.deepEqual(body.slice(0, 3), ['set -euo pipefail', 'module load nodejs/20', 'export TMPDIR=/scratch']);
  assert.match(body[3], /^node '\/opt\/onepass\/dist\/cli\/main\.js' sweep --config 'grid\.json' --shard "\$SLURM_ARRAY_TASK_ID\/3"/);
});

test('the collecting job runs sweep --collect over every shard folder on one CPU, with the template\'s partition and setup', () => {
  const template = parseSlurmTemplate({ partition: 'cpu', setup: ['module load nodejs/20'], collectTime: '00:20:00', cpusPerTask: 16 });
  const s = slurmCollectScript({ ...base, template, collectArgs: ['--plot', 'eta,p'] });
  const d = directives(s);
  assert.ok(d.includes('#SBATCH --partition=cpu') && d.includes('#SBATCH --cpus-per-task=1') && d.includes('#SBATCH --time=00:20:00'));
  assert.ok(!d.some((l) => l.startsWith('#SBATCH --array')));
  assert.ok(d.includes('#SBATCH --job-name=onepass-sweep-collect'));
  const lines = s.trim().split('\n');
  assert.equal(lines.at(-2), 'module load nodejs/20');
  assert.equal(lines.at(-1), "node '/opt/onepass/dist/cli/main.js' sweep --collect runs/s/shard-* --out runs/s '--plot' 'eta,p' --no-progress");
});

test('submit.sh queues the array, then the collecting job on afterok of the array\'s id', () => {
  const s = slurmSubmitScript('/w/runs/s/sweep.slurm', '/w/runs/s/collect.slurm');
  assert.match(s, /^array=\$\(sbatch --parsable "\$@" '\/w\/runs\/s\/sweep\.slurm'\)$/m);
  assert.match(s, /^collect=\$\(sbatch --parsable "\$@" --dependency=afterok:"\$array" '\/w\/runs\/s\/collect\.slurm'\)$/m);
});

test('a bad template is one error naming the key: a time that is not Slurm\'s, a value with a space, an unknown key', () => {
  assert.throws(() => parseSlurmTemplate({ time: '4 hours' }), /^ConfigError: --slurm-template: time: Slurm time/);
  assert.throws(() => parseSlurmTemplate({ partition: 'gpu a100' }), /^ConfigError: --slurm-template: partition: one word/);
  assert.throws(() => parseSlurmTemplate({ cpus: 4 }), /^ConfigError: --slurm-template: unknown key\(s\) cpus; allowed: jobName, partition/);
  assert.throws(() => parseSlurmTemplate({ setup: ['a\nb'] }), /setup\.0: one shell line each/);
  assert.throws(() => parseSlurmTemplate([]), /^ConfigError: --slurm-template: /);
});
