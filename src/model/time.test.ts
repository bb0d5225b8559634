import { test } from 'node:test';
import assert from 'node:assert/strict';
import { timeOf, timeAxis, formatTime, timeAt } from './time.js';
import { parseConfig } from './config.js';

test('t = ηα/p for the mean readout and ηα for the sum readout (each unit moves at η·v per unit α)', () => {
  const mean = { eta: 0.5, p: 4, readout: 'mean' as const };
  assert.deepEqual(Array.from(timeOf(mean, [0, 8, 80])), [0, 1, 10]);
  assert.deepEqual(Array.from(timeOf({ ...mean, readout: 'sum' }, [0, 8, 80])), [0, 4, 40]);
  // At fixed η/p the time of a given α is the same for every p: the point of the unit.
  assert.equal(timeAt({ eta: 0.25, p: 2, readout: 'mean' }, 80), timeAt({ eta: 1, p: 8, readout: 'mean' }, 80));
});

test('the axis is α unless the config chooses t: values, title and CSV column follow the choice', () => {
  const c = parseConfig({ p: 4, eta: 0.5 });
  assert.equal(c.time, 'alpha');
  const a = timeAxis(c, [0, 8]);
  assert.deepEqual([a.symbol, a.column, a.title, Array.from(a.values)], ['α', 'alpha', 'α = samples / N', [0, 8]]);
  const t = timeAxis({ ...c, time: 't' }, [0, 8]);
  assert.deepEqual([t.symbol, t.column, t.title, Array.from(t.values)], ['t', 't', 't = ηα/p', [0, 1]]);
  assert.equal(timeAxis({ ...c, readout: 'sum', time: 't' }, []).title, 't = ηα');
});

test('messages name the chosen unit, with α beside t', () => {
  const c = { eta: 0.1, p: 4, readout: 'mean' as const };
  assert.equal(formatTime(c, 80), 'α = 80');
  // 0.1 · 3 / 4 is 0.07500000000000001 in floating point: shown as 0.075.
  assert.equal(formatTime({ ...c, time: 't' }, 3), 't = 0.075 (α = 3)');
  assert.throws(() => parseConfig({ time: 'steps' }), /^ConfigError: time: must be "alpha" .* or "t"/);
});
