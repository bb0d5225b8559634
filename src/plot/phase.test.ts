/** Phase diagrams never average silently, mark diverged and empty cells with their own legend entries, and are wide enough to read. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { phaseDiagramSpec, cellLabel } from './phase.js';
import type { Table } from '../model/table.js';

const columns = ['N', 'eta', 'p', 'solver', 'final_loss', 'escape_alpha', 'status'];
type Spec = { width: number; title: { subtitle: string }; data: { values: { x: string; y: string; value: number | null; kind: string; n: number }[] }; layer: { encoding: { color?: { legend: { values?: number[] } } } }[] };
const spec = (t: Table, o: Parameters<typeof phaseDiagramSpec>[1]) => phaseDiagramSpec(t, o) as unknown as Spec;

test('older rows of another N in the store are not averaged in: refused, then drawn for one N with --plot-where, or averaged and said so', () => {
  const t: Table = { columns, rows: [
    [1000, 0.1, 2, 'ode', 0.5, 10, 'completed'], [2000, 0.1, 2, 'ode', 0.3, 12, 'completed'],
    [1000, 0.2, 2, 'ode', 0.2, 8, 'completed'], [2000, 0.2, 2, 'ode', 0.1, 9, 'completed'],
  ] };
  assert.throws(() => spec(t, { x: 'eta', y: 'p', color: 'final_loss' }), /rows of one cell differ in N ∈ \{1000, 2000\}: fix it with --plot-where N=VALUE/);
  const one = spec(t, { x: 'eta', y: 'p', color: 'final_loss', where: { N: '2000' } });
  assert.deepEqual(one.data.values.map((v) => v.value), [0.3, 0.1]);
  assert.match(one.title.subtitle, /^solver ode; N = 2000; one row per cell$/);
  const mean = spec(t, { x: 'eta', y: 'p', color: 'final_loss', average: true });
  assert.ok(Math.abs(mean.data.values[0].value! - 0.4) < 1e-15);
  assert.match(mean.title.subtitle, /each cell the mean over N ∈ \{1000, 2000\} \(up to 2 rows per cell\)/);
});

test('rows of both solvers are never mixed: a solver must be named', () => {
  const t: Table = { columns, rows: [[1000, 0.1, 2, 'ode', 0.5, 10, 'completed'], [1000, 0.1, 2, 'sgd', 0.6, 11, 'completed']] };
  assert.throws(() => spec(t, { x: 'eta', y: 'p', color: 'final_loss' }), /the rows are of solvers ode and sgd, which are not averaged: name one/);
  assert.deepEqual(spec(t, { x: 'eta', y: 'p', color: 'final_loss', solver: 'sgd' }).data.values.map((v) => v.value), [0.6]);
});

test('a diverged cell and a cell without escape are drawn as such (own legend entries), not blank and not as a number', () => {
  const t: Table = { columns, rows: [[1000, 0.1, 2, 'ode', 0.5, 10, 'completed'], [1000, 0.2, 2, 'ode', null, null, 'completed'], [1000, 0.4, 2, 'ode', null, null, 'diverged']] };
  const s = spec(t, { x: 'eta', y: 'p', color: 'escape_alpha' });
  assert.deepEqual(s.data.values.map((v) => [v.x, v.kind]), [['0.1', 'value'], ['0.2', 'none'], ['0.4', 'diverged']]);
  const fill = (s.layer[2].encoding as unknown as { fill: { scale: { domain: string[] } } }).fill;
  assert.deepEqual(fill.scale.domain, ['no escape within α_max', 'diverged or failed']);
  assert.ok(s.width >= 640, 'at least 640 px of plot (1280 in the PNG)');
});

test('a log colour bar over less than a decade or two is labelled at 1, 2, 5 × 10ᵏ', () => {
  const t: Table = { columns, rows: [[1000, 0.1, 2, 'ode', 0.004, 1, 'completed'], [1000, 0.2, 2, 'ode', 0.9, 1, 'completed']] };
  const s = spec(t, { x: 'eta', y: 'p', color: 'final_loss', logColor: true });
  assert.deepEqual(s.layer[0].encoding.color!.legend.values, [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5]);
});

test('each cell sits at its own (p, η): axes in numeric order (2 < 16 < 128, not as strings), each value at the row it came from, whatever the row order', () => {
  // Rows in scrambled order; value = 1000·p + 10·η identifies the row a cell came from.
  const ps = [128, 2, 16, 256], etas = [1.6, 0.05, 0.2];
  const rows = etas.flatMap((eta) => ps.map((p) => [1000, eta, p, 'ode', 1000 * p + 10 * eta, 1, 'completed']));
  const s = spec({ columns, rows }, { x: 'p', y: 'eta', color: 'final_loss' });
  assert.equal(s.data.values.length, 12);
  for (const v of s.data.values) assert.equal(v.value, 1000 * Number(v.x) + 10 * Number(v.y), `cell (p = ${v.x}, η = ${v.y})`);
  const axes = s.layer[0].encoding as unknown as { x: { sort: string[] }; y: { sort: string[] } };
  assert.deepEqual(axes.x.sort, ['2', '16', '128', '256']);
  // η increases upwards: the first ordinal value is drawn at the top.
  assert.deepEqual(axes.y.sort, ['1.6', '0.2', '0.05']);
});

test('a NaN result is a cell without a value (grey, its own legend entry) and a diverged run a diverged cell, never a coloured number', () => {
  const t: Table = { columns, rows: [
    [1000, 0.1, 2, 'ode', 0.5, 10, 'completed'],
    [1000, 0.1, 4, 'ode', NaN, NaN, 'completed'],
    [1000, 0.8, 2, 'ode', 1e300 * 10, null, 'diverged'],
    [1000, 0.8, 4, 'ode', 0.25, 12, 'completed'],
  ] };
  const s = spec(t, { x: 'p', y: 'eta', color: 'final_loss', logColor: true });
  const at = (p: string, eta: string) => s.data.values.find((v) => v.x === p && v.y === eta)!;
  assert.deepEqual([at('2', '0.1').kind, at('2', '0.1').value], ['value', 0.5]);
  assert.deepEqual([at('4', '0.1').kind, at('4', '0.1').value], ['none', null]);
  assert.deepEqual([at('2', '0.8').kind, at('2', '0.8').value], ['diverged', null]);
  assert.deepEqual([at('4', '0.8').kind, at('4', '0.8').value], ['value', 0.25]);
  const fill = (s.layer[2].encoding as unknown as { fill: { scale: { domain: string[]; range: string[] } } }).fill;
  assert.deepEqual(fill.scale.domain, ['no final_loss', 'diverged or failed']);
  assert.equal(new Set(fill.scale.range).size, 2, 'the two kinds have different colours');
  // The colour bar and the label colours are computed from the finite values only (a NaN or ∞ among them would make them NaN).
  const ticks = s.layer[0].encoding.color!.legend.values!;
  assert.ok(ticks.length > 0 && ticks.every((v) => v >= 0.25 && v <= 0.5), `ticks ${ticks}`);
  const label = (s.layer[1].encoding as unknown as { color: { condition: { test: string } } }).color.condition.test;
  assert.match(label, /^datum\.shade > 0\.35355/);
});

test('a loss of exactly 0 (below its rounding floor) keeps a log colour bar for the others: coloured as the smallest positive loss, labelled 0; labels fit a cell (exponent form below 10⁻³)', () => {
  const t: Table = { columns, rows: [[1000, 0.1, 2, 'ode', 0, 1, 'completed'], [1000, 0.1, 4, 'ode', 1.2e-6, 1, 'completed'], [1000, 0.1, 8, 'ode', 0.0044, 1, 'completed']] };
  const s = spec(t, { x: 'p', y: 'eta', color: 'final_loss', logColor: true }) as unknown as { data: { values: { x: string; value: number; shade: number; label: string }[] }; layer: { encoding: { color: { scale: { type: string } } } }[] };
  assert.equal(s.layer[0].encoding.color.scale.type, 'log');
  assert.deepEqual(s.data.values.map((v) => [v.x, v.value, v.shade, v.label]), [['2', 0, 1.2e-6, '0'], ['4', 1.2e-6, 1.2e-6, '1.2e-6'], ['8', 0.0044, 0.0044, '0.0044']]);
  assert.deepEqual([123456, 99999, 0.001, 0.00099949, -2.5e-7].map(cellLabel), ['1.23e5', '100000', '0.001', '9.99e-4', '-2.5e-7']);
});

test('a log colour bar over many decades is labelled at every power of ten, those below 1 included', () => {
  const t: Table = { columns, rows: [[1000, 0.1, 2, 'ode', 1.5e-33, 1, 'completed'], [1000, 0.2, 2, 'ode', 0.69, 1, 'completed']] };
  const ticks = spec(t, { x: 'eta', y: 'p', color: 'final_loss', logColor: true }).layer[0].encoding.color!.legend.values!;
  assert.deepEqual(ticks.map((v) => Math.round(Math.log10(v))), Array.from({ length: 32 }, (_, k) => k - 32));
});
