/**
 * The engine-independent sine and cosine: within one ulp of the engine's own (fdlibm's bound is
 * below one ulp for both), over small, ReLU-angle and huge arguments (where the reduction modulo
 * π/2 needs π to ~1 100 bits), exact on the special cases. The rule that keeps them the only ones
 * is in ./engineMath.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sin, cos } from './trig.js';
import { Rng } from '../random/rng.js';
import { ulpsApart } from '../testing/ulps.js';

test('sin and cos agree with the engine\'s Math.sin and Math.cos to one ulp from 1e-10 to 1e300 in magnitude, and on [0, π] (the ReLU kernel\'s angles)', () => {
  const rng = new Rng(20261206);
  const args: number[] = [];
  for (let i = 0; i < 1500; i++) args.push(Math.PI * rng.uniform());
  for (let i = 0; i < 2500; i++) args.push((rng.uniform() < 0.5 ? -1 : 1) * Math.exp(-23 + 714 * rng.uniform())); // |x| from 1e-10 to 1e300
  for (const x of args) {
    assert.ok(ulpsApart(sin(x), Math.sin(x)) <= 1, `sin(${x}) = ${sin(x)}, Math.sin ${Math.sin(x)}`);
    assert.ok(ulpsApart(cos(x), Math.cos(x)) <= 1, `cos(${x}) = ${cos(x)}, Math.cos ${Math.cos(x)}`);
  }
});

test('sin and cos of 10²² are the correctly rounded −0.8522008497671888 and 0.523214785395139 (Ng\'s argument-reduction test)', () => {
  // sin 10²² = −0.85220084976718880177…, cos 10²² = 0.52321478539513894549… (K. C. Ng, "Argument
  // reduction for huge arguments: good to the last bit", 1992; digits checked with mpmath at 60 digits): the
  // reduction of 10²² ≈ 2⁷³ modulo π/2 needs π to far more than 53 bits.
  assert.equal(sin(1e22), -0.8522008497671888);
  assert.equal(cos(1e22), 0.523214785395139);
});

test('sin and cos are exact where the value is: signed zeros, tiny arguments, NaN for infinities and NaN', () => {
  assert.ok(Object.is(sin(0), 0) && Object.is(sin(-0), -0));
  assert.equal(cos(0), 1);
  assert.equal(cos(-0), 1);
  assert.equal(sin(1e-300), 1e-300);
  assert.equal(cos(1e-10), 1);
  for (const x of [Infinity, -Infinity, NaN]) {
    assert.ok(Number.isNaN(sin(x)) && Number.isNaN(cos(x)), String(x));
  }
});

test('sin and cos are odd and even, sin² + cos² = 1 to 4·2⁻⁵³ and sin(π/6) = ½ to one ulp', () => {
  const rng = new Rng(9);
  for (let i = 0; i < 1000; i++) {
    const x = 1e4 * (rng.uniform() - 0.5);
    assert.ok(Object.is(sin(-x), -sin(x)) && cos(-x) === cos(x), String(x));
    const s = sin(x), c = cos(x);
    assert.ok(Math.abs(s * s + c * c - 1) <= 2 ** -51, String(x));
  }
  assert.ok(ulpsApart(sin(Math.PI / 6), 0.5) <= 1);
});
