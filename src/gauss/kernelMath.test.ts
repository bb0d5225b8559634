import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kernelAsin, kernelSin } from './kernelMath.js';
import { Rng } from '../random/rng.js';

const ulp = (y: number) => 2 ** (Math.floor(Math.log2(Math.abs(y))) - 52);

test('the kernels\' arcsine is within 1 ulp of Math.asin on |x| ≤ ½ and 2 ulps on ½ < |x| ≤ 1, exact at 0 and ±1, NaN beyond', () => {
  const rng = new Rng(18, 'general');
  for (let i = 0; i < 20000; i++) {
    const x = i < 10000 ? rng.uniform() - 0.5 : (0.5 + rng.uniform() / 2) * (i % 2 ? -1 : 1);
    const e = Math.abs(kernelAsin(x) - Math.asin(x)) / ulp(Math.asin(x));
    assert.ok(e <= (Math.abs(x) <= 0.5 ? 1 : 2), `x = ${x}: ${kernelAsin(x)} vs ${Math.asin(x)} (${e} ulps)`);
  }
  assert.equal(kernelAsin(0), 0);
  assert.equal(kernelAsin(1), Math.PI / 2);
  assert.equal(kernelAsin(-1), -Math.PI / 2);
  assert.ok(Number.isNaN(kernelAsin(1 + 1e-15)));
});

test('the kernels\' sine is within 2 ulps of Math.sin on |θ| ≤ π/2, odd, exact at 0 and π/2', () => {
  const rng = new Rng(19, 'general');
  for (let i = 0; i < 20000; i++) {
    const t = (rng.uniform() - 0.5) * Math.PI * (i % 3 ? 1 : 1e-3);
    const e = Math.abs(kernelSin(t) - Math.sin(t)) / ulp(Math.sin(t));
    assert.ok(e <= 2, `θ = ${t}: ${kernelSin(t)} vs ${Math.sin(t)} (${e} ulps)`);
    assert.equal(kernelSin(-t), -kernelSin(t));
  }
  assert.equal(kernelSin(0), 0);
  assert.equal(kernelSin(Math.PI / 2), 1);
});
