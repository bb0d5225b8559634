/** The progress text: durations in words ("left 3 s"), and the log lines written when stderr is not a terminal. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { durationText, progressLine, logProgress, secondsLeft } from './progress.js';

test('durations read as "3 s", "2 min 05 s", "1 h 02 min", and "?" while unknown', () => {
  assert.equal(durationText(3.2), '3 s');
  assert.equal(durationText(125), '2 min 05 s');
  assert.equal(durationText(3725), '1 h 02 min');
  assert.equal(durationText(NaN), '?');
  assert.equal(durationText(Infinity), '?');
});

test('the time left at a constant rate: 25 % done after 12 s leaves 36 s; nothing done leaves an unknown time', () => {
  assert.equal(secondsLeft(0.25, 12), 36);
  assert.ok(Number.isNaN(secondsLeft(0, 12)));
  assert.equal(progressLine('SGD N=2000', 250, 1000, 12), 'SGD N=2000: 25% after 12 s, left 36 s');
  assert.equal(progressLine('sweep', 3, 36, 30, 'points'), 'sweep: 3/36 points (8%) after 30 s, left 5 min 30 s');
});

test('in a log, a line every 10 s of a long run and none for a run shorter than 10 s', () => {
  let now = 0;
  const lines: string[] = [];
  const p = logProgress('ODE', 100, (l) => lines.push(l), undefined, () => now);
  for (let s = 1; s <= 35; s++) { now = s * 1000; p.update(s); }
  assert.deepEqual(lines, ['ODE: 10% after 10 s, left 1 min 30 s\n', 'ODE: 20% after 20 s, left 1 min 20 s\n', 'ODE: 30% after 30 s, left 1 min 10 s\n']);
  const short: string[] = [];
  const q = logProgress('ODE', 100, (l) => short.push(l), undefined, () => now);
  const t0 = now;
  for (let s = 1; s <= 9; s++) { now = t0 + s * 1000; q.update(s * 11); }
  assert.deepEqual(short, []);
});

test('a day-long job logs every few minutes, not every 10 s: at most 5 min between lines', () => {
  let now = 0, count = 0;
  const p = logProgress('SGD', 86_400, () => count++, undefined, () => now);
  for (let s = 1; s < 86_400; s++) { now = s * 1000; p.update(s); }
  // 10 s for the first 100 s, then a tenth of the elapsed time, at most 300 s: ~330 lines in a day.
  assert.ok(count > 250 && count < 400, `${count} lines`);
});
