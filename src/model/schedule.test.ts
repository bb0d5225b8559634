import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig, applyOverrides } from './config.js';
import { ConfigError } from './errors.js';
import { saveGrid } from './problem.js';
import { etaAt, integratedEta, describeEta, scaleEta, smoothPieces, type EtaSpec } from './schedule.js';
import { timeAt, timeDefinition } from './time.js';

/** The one-line error naming `field`. */
const rejects = (input: unknown, field: string, pattern: RegExp) =>
  assert.throws(() => parseConfig(input), (e: unknown) => e instanceof ConfigError && e.field === field && pattern.test(e.message) && !e.message.includes('\n'));

test('bad schedules and batch sizes get a one-line error naming the field', () => {
  rejects({ eta: -0.1 }, 'eta', /must be > 0/);
  rejects({ eta: 'fast' }, 'eta', /a number > 0 or a schedule object/);
  rejects({ eta: { schedule: 'cosine' } }, 'eta.schedule', /must be "power" or "piecewise" \(got "cosine"\)/);
  rejects({ eta: { eta0: 1 } }, 'eta.schedule', /must be "power" or "piecewise"/);
  rejects({ eta: { schedule: 'power', eta0: -1, alpha0: 1, exponent: 1 } }, 'eta.eta0', /must be > 0/);
  rejects({ eta: { schedule: 'power', eta0: 1, alpha0: 0, exponent: 1 } }, 'eta.alpha0', /must be > 0/);
  rejects({ eta: { schedule: 'power', eta0: 1, alpha0: 1, exponent: -0.5 } }, 'eta.exponent', /must be ≥ 0/);
  rejects({ eta: { schedule: 'power', eta0: 1, alpha0: 1 } }, 'eta.exponent', /finite number/);
  rejects({ eta: { schedule: 'power', eta0: 1, alpha0: 1, exponent: 1, beta: 2 } }, 'eta.beta', /unknown key/);
  rejects({ eta: { schedule: 'piecewise', values: [0.5, -0.1], until: [10] } }, 'eta.values.1', /must be > 0/);
  rejects({ eta: { schedule: 'piecewise', values: [0.5, 0.1, 0.01], until: [10, 5] } }, 'eta.until.1', /strictly increasing \(got 5 after 10\)/);
  rejects({ eta: { schedule: 'piecewise', values: [0.5, 0.1, 0.01, 0.001], until: [10] } }, 'eta.values', /one entry more than eta.until.*got 4 values for 1 until/);
  rejects({ eta: { schedule: 'piecewise', values: [], until: [] } }, 'eta.values', /at least one/);
  rejects({ batchSize: 0 }, 'batchSize', /integer ≥ 1/);
  rejects({ batchSize: 2.5 }, 'batchSize', /integer ≥ 1/);
  rejects({ N: 100, batchSize: 300, alphaMax: 1 }, 'alphaMax', /at least one SGD step: runs end at the nearest whole step of batchSize\/N = 3, so alphaMax ≥ 1\.5/);
  rejects({ N: 100, batchSize: 10, saveAt: [0.2, 0.21], alphaMax: 1 }, 'saveAt.1', /same SGD step \(saves are at multiples of batchSize\/N = 0.1\)/);
});

test('--set reaches schedule fields by dotted path (eta.exponent), as the sweep and the explorer do', () => {
  const c = parseConfig(applyOverrides({ eta: { schedule: 'power', eta0: 1, alpha0: 2, exponent: 0.5 } }, ['eta.exponent=1', 'batchSize=8']));
  assert.deepEqual(c.eta, { schedule: 'power', eta0: 1, alpha0: 2, exponent: 1 });
  assert.equal(c.batchSize, 8);
});

test('saves fall on multiples of batchSize/N (α counts samples / N)', () => {
  const grid = saveGrid(parseConfig({ N: 100, batchSize: 8, alphaMax: 2, saveAt: [0, 0.5, 1, 2] }));
  // 0.5·100/8 = 6.25 → 6 steps = 48 samples → α = 0.48; 1 → 12.5 → 13 steps (round half up) = 1.04; 2 → 25 steps = 2.
  assert.deepEqual(Array.from(grid), [0, 0.48, 1.04, 2]);
});

test('η(α): power law at its defining points, piecewise right-continuous at the jumps, and a last value kept when values and until have equal length', () => {
  const power: EtaSpec = { schedule: 'power', eta0: 0.8, alpha0: 4, exponent: 0.5 };
  assert.equal(etaAt(power, 0), 0.8);
  assert.equal(etaAt(power, 12), 0.4); // (1 + 12/4)^(−1/2) = 1/2
  const drop: EtaSpec = { schedule: 'piecewise', values: [1, 0.5, 0.25], until: [2, 5] };
  assert.deepEqual([0, 1.999, 2, 4.9, 5, 100].map((a) => etaAt(drop, a)), [1, 1, 0.5, 0.5, 0.25, 0.25]);
  const kept: EtaSpec = { schedule: 'piecewise', values: [1, 0.5], until: [2, 5] };
  assert.deepEqual([0, 2, 5, 100].map((a) => etaAt(kept, a)), [1, 0.5, 0.5, 0.5]);
  assert.deepEqual(smoothPieces(kept, 10), [{ from: 0, to: 2 }, { from: 2, to: 10 }]);
  assert.deepEqual(smoothPieces(drop, 3), [{ from: 0, to: 2 }, { from: 2, to: 3 }]);
  assert.equal(describeEta(drop), 'η = 1 → 0.5 at α = 2 → 0.25 at α = 5');
  assert.deepEqual(scaleEta(drop, 2), { ...drop, values: [2, 1, 0.5] });
});

test('∫₀^α η in closed form matches the trapezoid rule on 10⁵ points (constant, power β = 0.5, 1, 2) to 1e-8 relative, and a piecewise one the sum of its rectangles', () => {
  const specs: EtaSpec[] = [0.3, { schedule: 'power', eta0: 0.8, alpha0: 4, exponent: 0.5 }, { schedule: 'power', eta0: 0.8, alpha0: 4, exponent: 1 }, { schedule: 'power', eta0: 0.8, alpha0: 4, exponent: 2 }];
  for (const s of specs) {
    const A = 7, n = 100000, h = A / n;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += (h / 2) * (etaAt(s, i * h) + etaAt(s, (i + 1) * h));
    assert.ok(Math.abs(integratedEta(s, A) - sum) <= 1e-8 * sum, `${JSON.stringify(s)}: ${integratedEta(s, A)} vs ${sum}`);
  }
  const drop: EtaSpec = { schedule: 'piecewise', values: [1, 0.5, 0.25], until: [2, 5] };
  assert.equal(integratedEta(drop, 7), 1 * 2 + 0.5 * 3 + 0.25 * 2);
  assert.equal(integratedEta(drop, 3), 1 * 2 + 0.5 * 1);
});

test('the time unit t = ∫₀^α η/n_b dα · s follows the schedule and the batch size (t = ηα/p at batch 1 and constant η, unchanged)', () => {
  const drop: EtaSpec = { schedule: 'piecewise', values: [1, 0.5, 0.25], until: [2, 5] };
  // ∫₀^7 η = 4 (rectangles), /n_b = 2, × 1/p = 1/4.
  assert.equal(timeAt({ eta: drop, batchSize: 2, p: 4, readout: 'mean' }, 7), 4 / 2 / 4);
  assert.equal(timeAt({ eta: 0.3, p: 4, readout: 'mean' }, 10), (0.3 * 10) / 4);
  assert.equal(timeAt({ eta: 0.8, batchSize: 4, p: 1, readout: 'sum' }, 10), timeAt({ eta: 0.2, p: 1, readout: 'sum' }, 10));
  assert.equal(timeDefinition({ readout: 'mean', eta: drop, batchSize: 2 }), 't = ∫η dα/(n_b p)');
});
