import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lossBand } from './ensembleBand.js';
import type { Trajectory, SdeStats } from '../model/trajectory.js';

/** A run with these losses at α = 0, 1, …: only alpha and loss are read. */
const run = (loss: number[]) => ({ alpha: Float64Array.from(loss.map((_, i) => i)), loss: Float64Array.from(loss) }) as unknown as Trajectory<SdeStats>;

test('the band of 11 runs holding 0…10 at one α: mean 5, the 10 % and 90 % quantiles 1 and 9 (R-7: h = (n − 1) q), only the α every run reached', () => {
  const runs = Array.from({ length: 11 }, (_, r) => run(r === 3 ? [3] : [r, 2 * r]));
  const b = lossBand(runs);
  assert.deepEqual(Array.from(b.alpha), [0]);
  assert.equal(b.mean[0], 5);
  assert.equal(b.lo[0], 1);
  assert.equal(b.hi[0], 9);
});

test('between order statistics the quantile interpolates linearly: 4 runs 0, 10, 20, 30 give 3 at 10 % and 27 at 90 %', () => {
  const b = lossBand([0, 30, 10, 20].map((x) => run([x])));
  // h = 3·0.1 = 0.3: 0 + 0.3·10; h = 2.7: 20 + 0.7·10.
  assert.ok(Math.abs(b.lo[0] - 3) < 1e-12 && Math.abs(b.hi[0] - 27) < 1e-12, `${b.lo[0]}, ${b.hi[0]}`);
  assert.throws(() => lossBand([], 0.1, 0.9), RangeError);
});
