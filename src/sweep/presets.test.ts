import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expandSweep } from './grid.js';
import { odeSeconds } from '../model/budget.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

test('the (p, η) phase-diagram preset: log-spaced p from 2 to 256 at p* = 2, six η, ODE only, no overlap matrices kept, estimated under an hour on 2 workers', () => {
  const plan = expandSweep(JSON.parse(readFileSync(join(root, 'examples', 'phase-p-eta.json'), 'utf8')));
  assert.equal(plan.points.length, 15 * 6);
  const ps = [...new Set(plan.points.map((q) => q.config.p))].sort((a, b) => a - b);
  assert.deepEqual([ps[0], ps[ps.length - 1]], [2, 256]);
  for (let i = 1; i < ps.length; i++) assert.ok(ps[i] / ps[i - 1] >= 1.3 && ps[i] / ps[i - 1] <= 1.5, `log-spaced: ${ps[i - 1]} → ${ps[i]}`);
  assert.ok(plan.points.every((q) => q.config.pStar === 2 && q.config.saveOverlaps === 'none'));
  assert.deepEqual(plan.solvers, ['ode']);
  // η = 0.05 at p = 256 escapes near t = ηα/p ≈ 4: α ≈ 20 000 < alphaMax.
  assert.ok(plan.points[0].config.alphaMax >= (4 * 256) / 0.05);
  const seconds = plan.points.reduce((s, q) => s + odeSeconds(q.config), 0) / 2;
  assert.ok(seconds < 3600, `estimated ${seconds} s`);
});
