import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandSweep, canonicalJson, parseShard, shardPoints, flattenConfig, withPointSeeds } from './grid.js';
import { resultsTable, tableCsv } from './table.js';
import { phaseDiagramSpec } from '../plot/phase.js';
import { slurmScript } from './slurm.js';
import { parseConfig } from '../model/config.js';
import { ConfigError } from '../model/errors.js';
import { renderSvg } from '../plot/loss.js';

test('a sweep config expands to the Cartesian product in nested-loop order, last key fastest, solver innermost', () => {
  const plan = expandSweep({ solver: 'both', p: [2, 4], init: { studentVariance: [1e-2, 1e-3, 1e-4] }, N: 100 });
  assert.deepEqual(plan.keys, ['p', 'init.studentVariance']);
  assert.equal(plan.points.length, 2 * 3 * 2);
  assert.deepEqual(plan.points.map((p) => p.index), [...Array(12).keys()]);
  assert.deepEqual(plan.points.slice(0, 4).map((p) => [p.config.p, (p.config.init as { studentVariance: number }).studentVariance, p.solver]),
    [[2, 1e-2, 'ode'], [2, 1e-2, 'sgd'], [2, 1e-3, 'ode'], [2, 1e-3, 'sgd']]);
  assert.deepEqual(plan.points[11].values, { p: 4, 'init.studentVariance': 1e-4 });
  // Every point is a complete, validated config: defaults filled in, and seeds of its own.
  assert.deepEqual(plan.points[0].config, withPointSeeds(parseConfig({ p: 2, N: 100, init: { studentVariance: 1e-2 } }), plan.points[0].values));
});

test('every sweep point has seeds of its own, recorded in its config, that do not move when the lists grow', () => {
  // Equal user seeds (seed = init.seed = 0) and a seed that is itself swept, with a repeated value.
  const plan = expandSweep({ solver: 'both', seed: [0, 0, 7], eta: [0.1, 0.2], init: { seed: 0 }, N: 100 });
  const configs = plan.points.filter((p) => p.solver === 'sgd').map((p) => p.config);
  const seeds = configs.map((c) => c.seed), initSeeds = configs.map((c) => (c.init as { seed: number }).seed);
  assert.equal(new Set(seeds.slice(2)).size, 4, 'distinct values, distinct SGD seeds');
  assert.equal(new Set(initSeeds.slice(2)).size, 4, 'distinct values, distinct weight seeds');
  assert.deepEqual(seeds.slice(0, 2), seeds.slice(2, 4), 'the same values give the same point');
  assert.ok(seeds.every(Number.isSafeInteger) && initSeeds.every(Number.isSafeInteger));
  // ODE and SGD of a point share its config (the ODE starts from the SGD's weights).
  assert.deepEqual(plan.points[0].config, plan.points[1].config);
  // Adding values to a list keeps the seeds of the points already there (their stored rows stay valid).
  const grown = expandSweep({ solver: 'both', seed: [0, 7, 9], eta: [0.1, 0.2, 0.3], init: { seed: 0 }, N: 100 });
  const find = (pl: typeof plan, seed: number, eta: number) => pl.points.find((p) => p.values.seed === seed && p.values.eta === eta)!.config;
  assert.deepEqual(find(grown, 7, 0.2), find(plan, 7, 0.2));
  // The stored config is an ordinary config: parsed again alone, it is the same point.
  assert.deepEqual(parseConfig(JSON.parse(JSON.stringify(find(plan, 7, 0.2)))), find(plan, 7, 0.2));
});

test('keys that are arrays in an ordinary config (saveAt, explicit overlaps) are not sweep lists', () => {
  const plan = expandSweep({ p: 1, pStar: 1, saveAt: [0, 1, 2], alphaMax: 2, eta: [0.1, 0.2], init: { Q: [[0.01]], M: [[0.001]], P: [[1]] } });
  assert.deepEqual(plan.keys, ['eta']);
  assert.equal(plan.points.length, 2);
  assert.deepEqual(plan.points[0].config.saveAt, [0, 1, 2]);
  assert.equal(plan.solvers.join(), 'ode', 'the default solver is the ODE');
});

test('readout arrays (teacherReadout, studentReadout) are values of every point, not sweep lists', () => {
  const plan = expandSweep({ p: 2, pStar: 2, teacherReadout: [1, -1], studentReadout: [0.5, 0.25], eta: [0.1, 0.2] });
  assert.deepEqual(plan.keys, ['eta']);
  assert.equal(plan.points.length, 2);
  for (const point of plan.points) {
    assert.deepEqual(point.config.teacherReadout, [1, -1]);
    assert.deepEqual(point.config.studentReadout, [0.5, 0.25]);
  }
});

test('a sweep config with a key that reaches the prototype is refused before any key is walked', () => {
  const input = JSON.parse('{"__proto__": {"eta": [1, 2]}, "p": [2, 3]}');
  assert.throws(() => expandSweep(input), (e: unknown) => e instanceof ConfigError && /^__proto__: not allowed as a key/.test(e.message));
  assert.equal(({} as Record<string, unknown>).eta, undefined);
});

test('bad sweep configs give one-line ConfigErrors naming the field', () => {
  const field = (input: unknown) => { try { expandSweep(input); } catch (e) { assert.ok(e instanceof ConfigError); return (e as ConfigError).message; } return 'no error'; };
  assert.match(field({ p: [] }), /^p: a sweep list must hold at least one value$/);
  assert.match(field({ solver: 'all' }), /^solver: must be one of: ode, sgd, sde, both/);
  assert.match(field({ eta: [0.5, -1] }), /^eta: must be > 0 .* \(at sweep point eta=-1\)$/);
  assert.match(field({ p: [2, 'x'] }), /^p: /);
  assert.match(field([1, 2]), /^config: /);
  assert.match(field({ p: Array(1001).fill(2), N: Array(1001).fill(10) }), /^p: the sweep has 1002001 points/);
});

test('canonical JSON sorts keys at every depth, so key order does not change the hash input', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: null } }), '{"a":{"c":null,"d":[1,{"e":3,"f":2}]},"b":1}');
  assert.equal(canonicalJson(parseConfig({ p: 2, eta: 0.1 })), canonicalJson(parseConfig({ eta: 0.1, p: 2 })));
});

test('shards i/n partition the points: every point in exactly one shard, in the stable order', () => {
  const points = expandSweep({ p: [1, 2, 3], eta: [0.1, 0.2, 0.3], solver: 'both' }).points;
  const shards = [0, 1, 2, 3].map((i) => shardPoints(points, parseShard(`${i}/4`)));
  assert.deepEqual(shards.flat().map((p) => p.index).sort((a, b) => a - b), points.map((p) => p.index));
  assert.deepEqual(shards[1].map((p) => p.index), [1, 5, 9, 13, 17]);
  for (const bad of ['2/2', '1', '-1/2', 'a/b', '0/0']) assert.throws(() => parseShard(bad), /^ConfigError: --shard: expected i\/n/);
});

test('the results table has dotted config columns, full-precision numbers, and a stable row order', () => {
  const cfg = (p: number) => parseConfig({ p, N: 10 });
  const row = (p: number, loss: number | null) => ({ configHash: `h${p}`, solver: 'ode' as const, config: cfg(p), computedAt: 't', status: 'completed' as const, message: 'a, "quoted"', finalLoss: loss, escapeAlpha: null, plateauLoss: null, maxDeviation: null, seconds: 0 });
  const t = resultsTable([row(10, 0.1), row(2, 1 / 3)]);
  assert.deepEqual(t.rows.map((r) => r[t.columns.indexOf('p')]), [2, 10], 'numeric order, not string order');
  assert.ok(t.columns.includes('init.studentVariance'));
  const csv = tableCsv(t).split('\n');
  assert.ok(csv[1].includes('0.3333333333333333'), 'shortest round-trip form');
  assert.ok(csv[1].includes('"a, ""quoted"""'), 'RFC 4180 quoting');
  assert.equal(flattenConfig(cfg(2))['init.teacher'], 'orthonormal');
});

test('the phase diagram is a rect heatmap over two keys, averaging rows that share a cell only when asked, and renders to SVG', async () => {
  const rows = expandSweep({ p: [2, 4], eta: [0.1, 0.2], seed: [1, 2] }).points.map((pt, i) => ({
    configHash: String(i), solver: pt.solver, config: pt.config, computedAt: 't', status: 'completed' as const, message: '',
    finalLoss: pt.config.p * (pt.config.eta as number) + (pt.values.seed as number), escapeAlpha: null, plateauLoss: null, maxDeviation: null, seconds: 0,
  }));
  assert.throws(() => phaseDiagramSpec(resultsTable(rows), { x: 'eta', y: 'p', color: 'final_loss' }), /^ConfigError: --plot: rows of one cell differ in init\.seed \(8 values\) and seed \(8 values\): fix them with --plot-where .*, or average over them with --plot-average$/);
  const spec = phaseDiagramSpec(resultsTable(rows), { x: 'eta', y: 'p', color: 'final_loss', average: true }) as unknown as { layer: { mark: { type: string } }[]; title: { subtitle: string }; data: { values: { x: string; y: string; value: number; n: number }[] } };
  assert.equal(spec.layer[0].mark.type, 'rect');
  assert.match(spec.title.subtitle, /each cell the mean over init\.seed \(8 values\), seed \(8 values\) \(up to 2 rows per cell\)/);
  const cell = spec.data.values.find((v) => v.x === '0.2' && v.y === '4')!;
  assert.equal(cell.n, 2);
  assert.ok(Math.abs(cell.value - (0.8 + 1.5)) < 1e-12, 'mean over the two seeds');
  const svg = await renderSvg(spec as never);
  assert.ok(svg.startsWith('<svg') && svg.includes('final_loss'));
  assert.throws(() => phaseDiagramSpec(resultsTable(rows), { x: 'eta', y: 'q', color: 'final_loss' }), /^ConfigError: --plot: no column "q"/);
});

test('the Slurm script is a job array of n tasks, each one shard into its own folder', () => {
  const s = slurmScript({ shards: 8, configPath: 'sweep.json', overrides: ["N=[1000,2000]"], outDir: 'runs/big', command: "node '/opt/onepass/dist/cli/main.js'" });
  assert.ok(s.startsWith('#!/bin/bash\n#SBATCH'));
  assert.match(s, /^#SBATCH --array=0-7$/m);
  assert.match(s, /^node '\/opt\/onepass\/dist\/cli\/main\.js' sweep --config 'sweep\.json' --set 'N=\[1000,2000\]' --shard "\$SLURM_ARRAY_TASK_ID\/8" .*--out "runs\/big\/shard-\$SLURM_ARRAY_TASK_ID"/m);
});

test('a sweep grids over batchSize and over schedule fields by dotted key (eta.exponent), and eta.values / eta.until stay arrays of the schedule', () => {
  const plan = expandSweep({
    batchSize: [1, 4],
    eta: { schedule: 'power', eta0: 0.5, alpha0: 10, exponent: [0, 0.5, 1] },
    alphaMax: 1,
  });
  assert.deepEqual(plan.keys, ['batchSize', 'eta.exponent']);
  assert.equal(plan.points.length, 2 * 3);
  assert.deepEqual(plan.points.map((p) => [p.config.batchSize, (p.config.eta as { exponent: number }).exponent]), [[1, 0], [1, 0.5], [1, 1], [4, 0], [4, 0.5], [4, 1]]);
  const piecewise = expandSweep({ eta: { schedule: 'piecewise', values: [0.5, 0.1], until: [40] }, noise: [0, 0.1] });
  assert.deepEqual(piecewise.keys, ['noise']);
  assert.deepEqual(piecewise.points[0].config.eta, { schedule: 'piecewise', values: [0.5, 0.1], until: [40] });
  assert.equal(flattenConfig(plan.points[4].config)['eta.exponent'], 0.5);
});
