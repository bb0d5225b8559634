import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'main.js');
const run = (...args: string[]) => spawnSync(process.execPath, [bin, 'closest', ...args], { encoding: 'utf8' });

test('onepass closest: bad input is one line naming the option or key, exit 2, and nothing computed', () => {
  for (const [args, pattern] of [
    [['--threshold', '1'], /^error: --threshold: expected a number between 0 and 1/],
    [['--etas', '0.1,-1'], /^error: --etas: expected a comma-separated list of positive numbers/],
    [['--n-list', '1e3,1e3'], /^error: --n-list: values must be distinct/],
    [['--set', 'runs=1'], /^error: runs: must be at least 2/],
    [['--set', 'activation=erf', '--set', 'readout=sum', '--etas', '0.5', '--variances', '1e-3', '--n-list', '1e3'], /^error: activation: the closest-solution study needs the quadratic network/],
  ] as const) {
    const r = run(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});

test('onepass closest --out writes the table, the JSON and both figures; --json is one document with the fitted variable', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'onepass-closest-')), 'out');
  const args = ['--set', 'runs=3', '--etas', '0.1,0.5', '--variances', '1e-3', '--n-list', '1e3,1e5', '--no-progress'];
  const r = run(...args, '--out', dir, '--json');
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(readdirSync(dir).sort(), ['closest-eta-over-sigma.pdf', 'closest-eta-over-sigma.png', 'closest-eta-over-sigma.svg', 'closest.csv', 'closest.json', 'closest.pdf', 'closest.png', 'closest.svg']);
  const doc = JSON.parse(r.stdout);
  // 2 η × 1 σ² × 2 N points; σ² does not vary, so its exponent is not fitted (0).
  assert.equal(doc.points.length, 2 * 1 * 2);
  assert.equal(doc.variable.a, 0);
  assert.deepEqual(doc.collapse.fitted.predictors, ['1', 'ln η', 'ln N']);
  for (const q of doc.points) assert.ok(q.runs === 3 && q.converged <= 3 && q.probability >= 0 && q.probability <= 1, JSON.stringify(q));
});
