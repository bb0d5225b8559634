import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../model/config.js';
import { finiteNEscape } from './finiteNEscape.js';

test('finite-N escape (SDE, 8 runs): α_esc grows like ln N (slope 1.5–3.5 per e-fold between N = 10³ and 10⁷), with an O(1) spread at both N', () => {
  const r = finiteNEscape(parseConfig({ runs: 8, alphaMax: 60, savePoints: 150 }), { Ns: [1e3, 1e7], etas: [0.5] });
  assert.equal(r.points.length, 2);
  for (const q of r.points) {
    assert.equal(q.escaped, 8, `N = ${q.N}`);
    assert.ok(q.std > 0.3 && q.std < 4, `N = ${q.N}: sd ${q.std}`);
    assert.ok(Number.isFinite(q.ode) && Math.abs(q.mean - q.ode) < 4, `N = ${q.N}: SDE ${q.mean}, ODE ${q.ode}`);
  }
  assert.ok(r.fits[0].slope > 1.5 && r.fits[0].slope < 3.5, `slope ${r.fits[0].slope}`);
});
