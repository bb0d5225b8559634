import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeSweep } from './escapeSweep.js';
import { parseConfig } from '../model/config.js';
import { ConfigError } from '../model/errors.js';

test('every width of an escape sweep passes the same validation as --set p, all before the first solve', () => {
  const neverSolve = { variances: [1e-2, 1e-3], onProgress: () => { throw new Error('a point was solved before every point was validated'); } };
  // Width beyond the schema's 4096, listed after a valid one.
  assert.throws(() => escapeSweep(parseConfig({ N: 100 }), { ...neverSolve, ps: [2, 5000] }),
    (e: unknown) => e instanceof ConfigError && /^p: must be ≤ 4096 .*\(at escape-sweep point p = 5000, σ² = 0\.01\)$/.test(e.message));
  // The memory check of the weights: 8 B × N × (p + p*) × 2 = 4.5 GiB at p = 300, N = 10⁶ (the config's own p = 4 is fine).
  assert.throws(() => escapeSweep(parseConfig({ N: 1_000_000 }), { ...neverSolve, ps: [2, 300] }),
    (e: unknown) => e instanceof ConfigError && /^N: N = 1000000 with p \+ p\* = 302 needs 4\.5 GiB/.test(e.message));
  // A student readout sized for the config's p does not fit another p.
  assert.throws(() => escapeSweep(parseConfig({ N: 100, p: 2, studentReadout: [1, 1] }), { ...neverSolve, ps: [2, 3] }),
    (e: unknown) => e instanceof ConfigError && /^studentReadout: must have p = 3 entries/.test(e.message));
});

test('no escape fit is made through a repeated σ² (one abscissa: the slope is undefined)', () => {
  const r = escapeSweep(parseConfig({ N: 100, alphaMax: 30, savePoints: 60 }), { ps: [4], variances: [1e-3, 1e-3] });
  assert.equal(r.points.length, 2);
  assert.ok(r.points.every((q) => q.escapeAlpha !== null), 'both points escape');
  assert.deepEqual(r.fits, []);
});

test('each escape point carries its loss curve against t = ηα/p, the loss of the same solve', () => {
  const config = parseConfig({ p: 2, pStar: 2, eta: 0.3, alphaMax: 60, savePoints: 30 });
  const { points } = escapeSweep(config, { ps: [2, 6], variances: [1e-3], scaleEta: true });
  for (const q of points) {
    const curve = q.curve!;
    assert.equal(curve.t.length, 30);
    assert.equal(curve.loss.length, 30);
    assert.ok(Math.abs(curve.t[29] - (q.eta * 60) / q.p) < 1e-12, `p = ${q.p}: t ends at ${curve.t[29]}`);
    if (q.escapeAlpha !== null) assert.ok(curve.loss[29] < curve.loss[0]);
  }
  assert.ok(Math.abs(points[1].eta - 0.9) < 1e-15, 'η/p kept at 0.15');
});

test('a point whose predicted escape lies beyond maxAlphaFactor × alphaMax is still run to it (the bound is 3× the prediction): p = 4, σ² = 10⁻⁸ escapes at α ≈ 25 with alphaMax 5 and factor 2', () => {
  const r = escapeSweep(parseConfig({ N: 100, alphaMax: 5, savePoints: 100 }), { ps: [4], variances: [1e-8], maxAlphaFactor: 2 });
  assert.ok(r.points[0].escapeAlpha !== null && r.points[0].escapeAlpha > 10 && r.points[0].escapeAlpha < 40, JSON.stringify(r.points[0]));
  assert.equal(r.warning, null);
});

test('a point not escaped by alphaMax is run on until it escapes (within 16× alphaMax); one that cannot escape is dropped with a warning', () => {
  // σ² = 10⁻⁸ at p = 4, η = 0.5 escapes at α ≈ 25: far beyond alphaMax = 5.
  const r = escapeSweep(parseConfig({ N: 100, alphaMax: 5, savePoints: 100 }), { ps: [4], variances: [1e-8], maxAlphaFactor: 16 });
  assert.ok(r.points[0].escapeAlpha !== null && r.points[0].escapeAlpha > 5, JSON.stringify(r.points[0]));
  assert.ok(r.points[0].alphaMax > 5 && r.points[0].alphaMax <= 80);
  assert.equal(r.warning, null);
  assert.deepEqual(r.dropped, []);
  // Without extension it is dropped, and said so.
  const fixed = escapeSweep(parseConfig({ N: 100, alphaMax: 5, savePoints: 100 }), { ps: [4], variances: [1e-8], maxAlphaFactor: 1 });
  assert.equal(fixed.points[0].escapeAlpha, null);
  assert.equal(fixed.dropped.length, 1);
  assert.match(fixed.warning ?? '', /^1 of 1 points dropped \(no escape measured\): p = 4, σ² = 1e-8: no escape before α = 5/);
});
