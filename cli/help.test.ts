/** Each command's --help says what that command does and writes, and the README's synopsis is accepted as written. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseList } from './common.js';

const here = dirname(fileURLToPath(import.meta.url));
const help = (cmd: string) => spawnSync(process.execPath, [join(here, 'main.js'), cmd, '--help'], { encoding: 'utf8' }).stdout.replace(/\s+/g, ' ');

test('--help of analyze and escape names the files their --out writes, not the run commands\' trajectory.csv', () => {
  const analyze = help('analyze'), escape = help('escape');
  assert.match(analyze, /--out <dir> write analysis\.json, trajectory\.npz .*loss\.svg\/png\/pdf .*conserved\.svg\/png\/pdf into this folder/);
  assert.match(escape, /--out <dir> write escape\.csv, escape\.json, escape\.svg\/png\/pdf, escape-curves\.svg\/png\/pdf and escape-vs-p\.svg\/png\/pdf into this folder/);
  for (const h of [analyze, escape]) assert.doesNotMatch(h, /trajectory\.csv/);
  assert.match(help("sim"), /--out <dir> write trajectory\.csv, trajectory\.npz \(numpy\), result\.json and loss\.svg\/png\/pdf/);
});

test('--help of escape says what --scale-eta does (η·p/p_config at width p), and analyze that the loss analyses apply to any activation', () => {
  assert.match(help('escape'), /--scale-eta run width p at η·p\/p_config/);
  assert.match(help('analyze'), /\(any activation\)/);
});

test('the README\'s escape synopsis gives --variances as the CLI accepts it', () => {
  const readme = readFileSync(join(here, '..', '..', 'README.md'), 'utf8');
  const synopsis = /^onepass escape .*--variances ([^\]\s]+)\]/m.exec(readme);
  assert.ok(synopsis, 'the synopsis line of escape');
  assert.deepEqual(parseList('variances', synopsis[1], false), [1e-2, 1e-4, 1e-6, 1e-8]);
  assert.throws(() => parseList('variances', '1e-2,…,1e-8', false), /--variances: expected a comma-separated list/);
});

test('--plot-scale is checked before any work: a bad value is one line naming the option, exit 2', () => {
  const r = spawnSync(process.execPath, [join(here, 'main.js'), 'ode', '--plot-scale', 'semilog'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.equal(r.stderr, 'error: --plot-scale: expected loglog, logy (linear x, log y; also linx), logx or linear (got "semilog")\n');
  assert.equal(r.stdout, '');
});
