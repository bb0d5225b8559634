/** Phase diagrams never average silently, mark diverged and empty cells with their own legend entries, and are wide enough to read. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { phaseDiagramSpec } from './phase.js';
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
