import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scheduleStudy } from './schedule.js';
import { parseConfig } from '../model/config.js';
import { ConfigError } from '../model/errors.js';

const BASE = { p: 2, pStar: 1, noise: 0.2, alphaMax: 60, savePoints: 60, eta: 0.3, init: { teacher: 'orthonormal', studentVariance: 0.01, seed: 3 } } as const;

test('the schedule study runs constant, each power law and the drop on the same budget, reports the excess over Δ/2 and picks the β of the lowest final loss', () => {
  const s = scheduleStudy(parseConfig(BASE), { exponents: [0.5, 1], alpha0: 1 });
  assert.deepEqual(s.runs.map((r) => r.kind), ['constant', 'power', 'power', 'piecewise']);
  for (const r of s.runs) {
    assert.equal(r.status, 'completed');
    assert.equal(r.trajectory.alpha.at(-1), BASE.alphaMax);
    assert.equal(r.excessLoss, r.finalLoss - BASE.noise / 2);
  }
  const powers = s.runs.filter((r) => r.kind === 'power');
  const best = powers.reduce((a, b) => (b.finalLoss < a.finalLoss ? b : a));
  assert.equal(s.bestExponent, (best.eta as { exponent: number }).exponent);
  // The drop is η0 until alphaMax/2 and η0/10 after: it ends below the constant η0 (which stalls at its noise floor).
  assert.ok(s.runs[3].finalLoss < s.runs[0].finalLoss, `drop ${s.runs[3].finalLoss}, constant ${s.runs[0].finalLoss}`);
});

test('without label noise the schedule study refuses with a one-line error naming noise', () => {
  assert.throws(() => scheduleStudy(parseConfig({ ...BASE, noise: 0 }), { exponents: [1] }), (e: unknown) => e instanceof ConfigError && e.field === 'noise' && !e.message.includes('\n'));
});
