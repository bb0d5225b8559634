import { test } from 'node:test';
import assert from 'node:assert/strict';
import { progressLines } from './progressLog.js';

test('progress for logs: nothing before the first interval, then one line per interval with the fraction, the time taken and the time left', () => {
  let t = 100;
  const lines: string[] = [];
  const r = progressLines('ODE', (l) => lines.push(l), 5, () => t);
  t = 103; r.update(0.1);
  assert.deepEqual(lines, []);
  t = 105; r.update(0.25);
  t = 107; r.update(0.3);
  t = 110.5; r.update(0.5);
  t = 400; r.update(0.9);
  assert.deepEqual(lines, ['ODE: 25% after 5 s, about 15 s left\n', 'ODE: 50% after 11 s, about 11 s left\n', 'ODE: 90% after 5.0 min, about 33 s left\n']);
});
