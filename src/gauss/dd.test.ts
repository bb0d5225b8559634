import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asin, dd, div, sqrt, sub, toNumber, type DD } from './dd.js';
import { erfExactExpectations, erfExpectations } from './erf.js';

// Reference values from mpmath at 50 digits, split as hi = float(x), lo = float(x − hi).
const close = (x: DD, hi: number, lo: number, tol: number, what: string) =>
  assert.ok(x.h === hi && Math.abs(x.l - lo) <= tol, `${what}: ${x.h} + ${x.l} vs ${hi} + ${lo}`);

test('double-double √, ÷ and arcsin agree with a 50-digit evaluation to 1e-31 absolute', () => {
  close(sqrt(dd(2)), 1.4142135623730951, -9.667293313452913e-17, 1e-31, '√2');
  close(div(dd(1), dd(3)), 0.3333333333333333, 1.850371707708594e-17, 1e-32, '1/3');
  close(asin(dd(0.3)), 0.3046926540153975, -2.7469740051157017e-17, 1e-31, 'asin 0.3');
  close(asin(dd(-0.7)), -0.775397496610753, -3.395027444633425e-17, 1e-31, 'asin −0.7');
  close(asin(dd(0.999)), 1.526071239626163, 7.84631528833658e-17, 1e-30, 'asin 0.999 (1/cos y = 22 amplifies)');
  close(asin(dd(1e-5)), 1.0000000000166668e-5, -6.182252729529485e-22, 1e-36, 'asin 1e-5');
});

test('the double-double erf expectations agree with 50-digit closed forms, and resolve a difference of 3e-13 to 1e-28', () => {
  const C = [1.2, 0.3, 0.5, 0.4, 0.3, 0.9, 0.2, 0.6, 0.5, 0.2, 1.0, 0.35, 0.4, 0.6, 0.35, 1.1];
  const i4 = erfExactExpectations.I4(C.map((x) => dd(x)));
  close(i4, 0.023649155729343254, -1.4123526465028371e-18, 1e-30, 'I4');
  assert.ok(Math.abs(toNumber(i4) - erfExpectations.I4(C)) < 1e-16);
  const c2 = [1.2, 0.3, 0.3, 0.9];
  close(erfExactExpectations.I2(c2.map((x) => dd(x))), 0.09375278155089421, -3.5095225989236593e-19, 1e-30, 'I2');
  // I2 at C_ab = 0.3 + 2⁻⁴⁰ minus I2 at 0.3: in double this difference keeps 3 digits.
  const shifted = [1.2, 0.3 + 2 ** -40, 0.3 + 2 ** -40, 0.9].map((x) => dd(x));
  const diff = toNumber(sub(erfExactExpectations.I2(shifted), erfExactExpectations.I2(c2.map((x) => dd(x)))));
  assert.ok(Math.abs(diff - 2.8629821638290317018e-13) < 1e-28, `${diff}`);
});
