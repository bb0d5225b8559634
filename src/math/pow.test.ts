/**
 * The engine-independent power function: within one ulp of the exact value and of the engine's
 * own. The rule that keeps it the only one is in ./engineMath.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pow } from './pow.js';
import { Rng } from '../random/rng.js';
import { nextDouble as next } from '../testing/ulps.js';

/** x = m·2^e exactly, m an integer. */
function exact(x: number): { m: bigint; e: number } {
  const b = new DataView(new ArrayBuffer(8));
  b.setFloat64(0, x);
  const hi = b.getUint32(0), lo = b.getUint32(4), ex = (hi >>> 20) & 0x7ff;
  const frac = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  return ex === 0 ? { m: frac, e: -1074 } : { m: frac | (1n << 52n), e: ex - 1075 };
}
/** Sign of a^k − x, exactly (a, x > 0 finite doubles). */
function cmpPow(a: number, k: number, x: number): number {
  const A = exact(a), X = exact(x);
  let l = A.m ** BigInt(k), r = X.m;
  const d = A.e * k - X.e;
  if (d >= 0) l <<= BigInt(d); else r <<= BigInt(-d);
  return l < r ? -1 : l > r ? 1 : 0;
}

test('pow(x, 1/k) is within one ulp of the exact k-th root: its neighbours below and above bracket x when raised to k (exact integer arithmetic)', () => {
  const rng = new Rng(20261206);
  for (const k of [8, 4, 16]) { // 1/k exact in binary, so the k-th root is the exact value of x^y
    for (let i = 0; i < 400; i++) {
      const x = Math.exp((rng.uniform() - 0.5) * 60); // 1e-13 … 1e13, the step-size controller's range and more
      const r = pow(x, 1 / k);
      assert.ok(cmpPow(next(r, -1), k, x) < 0 && cmpPow(next(r, 1), k, x) > 0, `pow(${x}, 1/${k}) = ${r}`);
    }
  }
});

test('pow agrees with the engine\'s Math.pow to one ulp on the arguments the solvers and schedules give, and exactly on the special cases', () => {
  const rng = new Rng(7);
  for (let i = 0; i < 4000; i++) {
    const x = Math.exp((rng.uniform() - 0.5) * 40), y = (rng.uniform() - 0.5) * 6;
    const a = pow(x, y), b = Math.pow(x, y);
    assert.ok(a === b || a === next(b, 1) || a === next(b, -1), `pow(${x}, ${y}) = ${a}, Math.pow ${b}`);
  }
  assert.equal(pow(2, -40), 2 ** -40);
  assert.equal(pow(10, 3), 1000);
  assert.equal(pow(9, 0.5), 3);
  assert.equal(pow(0, 0), 1);
  assert.equal(pow(0, -1), Infinity);
  assert.ok(Number.isNaN(pow(-2, 0.5)));
  assert.equal(pow(-2, 3), -8);
});
