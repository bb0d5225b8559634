import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'main.js');
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
const small = ['--set', 'p=2', '--set', 'alphaMax=40', '--set', 'savePoints=80', '--no-progress'];

test('onepass analyze names the rescaled time of a mini-batch and of a schedule as it computes it: t = ηα/(n_b p) and t = ∫η dα/p, with the value that definition gives at α_esc', () => {
  const cases = [
    { args: ['--set', 'batchSize=4', '--set', 'eta=1'], label: 't = ηα/(n_b p)', t: (a: number) => (1 / 4) * a / 2 },
    // η(α) = 0.5 (1 + α/10)^(−1/2): ∫₀^α η = 10 [(1 + α/10)^(1/2) − 1].
    { args: ['--set', 'eta={"schedule":"power","eta0":0.5,"alpha0":10,"exponent":0.5}'], label: 't = ∫η dα/p', t: (a: number) => (10 * (Math.sqrt(1 + a / 10) - 1)) / 2 },
  ];
  for (const c of cases) {
    const r = run('analyze', ...small, ...c.args);
    assert.equal(r.status, 0, r.stderr);
    const m = /escape: α_esc = ([\d.]+) \((t = [^=]+) = ([\d.]+)\)/.exec(r.stdout);
    assert.ok(m, r.stdout);
    assert.equal(m[2], c.label);
    // Both printed to 4 significant digits: α_esc's rounding moves t by at most 5·10⁻⁴ relative.
    assert.ok(Math.abs(Number(m[3]) / c.t(Number(m[1])) - 1) < 1e-3, `${m[0]}: expected t = ${c.t(Number(m[1]))}`);
  }
});
