import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvText, csvWriter, overlapColumns } from './csv.js';
import { escapeCsv } from '../studies/escapeSweep.js';

test('CSV cells: RFC 4180 quoting, full precision, empty for a missing value, NaN and Infinity spelled as numpy and pandas read them', () => {
  assert.equal(csvText(['a', 'b_c'], [[1 / 3, 'x, "y"'], [null, NaN], [undefined, -Infinity]]), 'a,b_c\n0.3333333333333333,"x, ""y"""\n,NaN\n,-Infinity\n');
});

test('a column name outside the convention (camelCase, capitals) is refused unless it is a config key', () => {
  assert.throws(() => csvWriter(['escapeAlpha'], () => {}), /breaks the CSV convention/);
  assert.throws(() => csvWriter(['Q_0_0'], () => {}), /breaks the CSV convention/);
  assert.doesNotThrow(() => csvWriter(['init.studentVariance', 'final_loss'], () => {}, new Set(['init.studentVariance'])));
  assert.throws(() => csvWriter(['a'], () => {})(['1', '2']), /2 cells for 1 columns/);
});

test('overlap columns: q_k_l for k ≤ l, then m_k_j, then v_k, 0-based as the npz arrays', () => {
  assert.deepEqual(overlapColumns(2, 1, true).names, ['q_0_0', 'q_0_1', 'q_1_1', 'm_0_0', 'm_1_0', 'v_0', 'v_1']);
});

test('escape.csv follows the convention: snake_case, escape_t beside escape_alpha, empty cells where nothing was found', () => {
  const csv = escapeCsv([
    { p: 4, variance: 1e-3, eta: 0.5, escapeAlpha: 40, escapeTime: 5, plateauLoss: 0.1, alphaMax: 80, status: 'ok' },
    { p: 8, variance: 1e-8, eta: 0.5, escapeAlpha: null, escapeTime: null, plateauLoss: null, alphaMax: 1280, status: 'no escape before α = 1280' },
  ]);
  assert.equal(csv, 'p,variance,eta,escape_alpha,escape_t,plateau_loss,alpha_max,status\n4,0.001,0.5,40,5,0.1,80,ok\n8,1e-8,0.5,,,,1280,no escape before α = 1280\n');
});
