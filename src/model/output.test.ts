import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { writeJson, writeTrajectoryCsv, trajectoryCsv } from './output.js';
import type { Trajectory } from './trajectory.js';

test('streamed JSON is exactly JSON.stringify(value, null, 1) plus a newline, for any plain data', () => {
  fc.assert(fc.property(fc.jsonValue(), fc.constantFrom(0, 1, 2), (value, indent) => {
    const parts: string[] = [];
    writeJson(value, (c) => parts.push(c), indent);
    assert.equal(parts.join(''), JSON.stringify(value, null, indent) + '\n');
  }), { numRuns: 300 });
  const special = { a: [NaN, Infinity, -0, 1e-300, undefined], b: undefined, c: 'é"\n', d: {}, e: [] };
  const parts: string[] = [];
  writeJson(special, (c) => parts.push(c));
  assert.equal(parts.join(''), JSON.stringify(special, null, 1) + '\n');
});

test('trajectory.csv is produced row by row: no piece longer than one row, whatever the number of runs', () => {
  const p = 2, pStar = 1, n = 50;
  const t: Trajectory = {
    solver: 'sgd', p, pStar, alpha: Float64Array.from({ length: n }, (_, i) => i / 10), loss: new Float64Array(n).fill(0.5),
    Q: Array.from({ length: n }, () => new Float64Array(p * p).fill(1 / 3)), M: Array.from({ length: n }, () => new Float64Array(p * pStar)),
    P: new Float64Array([1]), status: 'completed', message: '', stats: { steps: 5, N: 10, wasmKernel: 0 },
  };
  const entries = Array.from({ length: 40 }, (_, r) => ({ trajectory: t, run: r, seed: r + 1 }));
  const pieces: string[] = [];
  const config = { eta: 0.5, p, readout: 'mean' as const };
  writeTrajectoryCsv(entries, config, (c) => pieces.push(c));
  // header + one piece per (run, saved α): 1 + 40·50
  assert.equal(pieces.length, 1 + 40 * n);
  assert.ok(pieces.every((c) => c.endsWith('\n') && c.indexOf('\n') === c.length - 1));
  assert.equal(pieces.join(''), trajectoryCsv(entries, config));
  // The CSV convention: alpha and t first, snake_case, overlaps q_k_l (k ≤ l) and m_k_j with 0-based indices.
  assert.equal(pieces[0], 'alpha,t,solver,run,seed,loss,loss_floor,q_0_0,q_0_1,q_1_1,m_0_0,m_1_0\n');
  // t = ηα/p = 0.5 · 4.9 / 2 on the last row (mean readout).
  assert.equal(pieces[pieces.length - 1], '4.9,1.225,sgd,39,40,0.5,,0.3333333333333333,0.3333333333333333,0.3333333333333333,0,0\n');
});
