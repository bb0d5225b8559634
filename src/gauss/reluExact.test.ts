import { test } from 'node:test';
import assert from 'node:assert/strict';
import { add, dd, mul, mulD, toNumber, ZERO, type DD } from './dd.js';
import { orthant4DD, reluExactExpectations as X } from './reluExact.js';
import { reluExpectations } from './relu.js';

// Reference values from bench/relu_committee_mpmath.py's expectations (mpmath at 50 digits, its own
// Stein recursion, its 4-orthant on a 64-node rule), split as hi = float(x), lo = float(x − hi).
const dds = (a: readonly number[]) => a.map((x) => dd(x));
const within = (x: DD, hi: number, lo: number, tol: number, what: string) => {
  const err = (x.h - hi) + (x.l - lo);
  assert.ok(Math.abs(err) <= tol, `${what}: ${x.h} + ${x.l} vs ${hi} + ${lo} (error ${err.toExponential(2)})`);
};
const sub2 = (C: readonly number[], idx: readonly number[]) => idx.flatMap((a) => idx.map((b) => C[a * 4 + b]));

test('the double-double ReLU expectations agree with a 50-digit evaluation to 1e-30 at a generic covariance', () => {
  const C = [1.2, 0.3, 0.5, 0.4, 0.3, 0.9, 0.2, 0.6, 0.5, 0.2, 1.0, 0.35, 0.4, 0.6, 0.35, 1.1];
  within(orthant4DD(dds(C)), 0.16400917170654106, -1.2111053871195842e-17, 1e-30, 'P(z > 0)');
  within(X.I4(dds(C)), 0.18323976557144775, 5.1234357070949176e-18, 1e-30, 'I4');
  within(X.I3(dds(sub2(C, [0, 1, 2]))), 0.10386866950617527, 4.562060154532171e-18, 1e-30, 'I3');
  within(X.I2(dds(sub2(C, [0, 2]))), 0.3178435674883061, -2.475800940907522e-17, 1e-30, 'I2');
  // The double ones are the same functions.
  assert.ok(Math.abs(toNumber(X.I4(dds(C))) - reluExpectations.I4(C)) < 1e-15);
});

test('near a solution (students within 8e-7 of the teachers, ε = 2.6e-13) the loss from them is right to 1e-12 relative, and each expectation to 1e-22 absolute or better', () => {
  // The state of the p = p* = 2 ReLU committee (sum readout, η = 0.5) at α = 166, as doubles.
  const Q = [0.9999984618087676, 9.173919771864051e-12, 9.173919771864051e-12, 1.00000153817381];
  const M = [0.9999992309035678, -7.690862862166661e-7, 7.690969390209441e-7, 1.0000007690860897];
  const P = [1.0000000000000004, -2.7276791936259315e-17, -2.7276791936259315e-17, 1.0000000000000016];
  const C = [Q[0], Q[1], M[0], M[1], Q[2], Q[3], M[2], M[3], M[0], M[2], P[0], P[1], M[1], M[3], P[2], P[3]];
  within(orthant4DD(dds(C)), 0.24999983762686548, 1.137112891749916e-18, 1e-26, 'P(z > 0)');
  // Measured 4.6e-23: conditioning on a teacher leaves a 2×2 covariance whose determinant is a
  // cancellation of O(θ²) terms; ≈ 10⁻¹⁰ of ε here, far below what the loss needs.
  within(X.I4(dds(C)), 0.1591549430917656, -5.022116730577644e-18, 1e-22, 'I4');
  within(X.I3(dds(sub2(C, [0, 1, 2]))), 3.845483446244208e-7, 2.1149496627736328e-23, 1e-30, 'I3');
  within(X.I2(dds(sub2(C, [0, 2]))), 0.4999996154517839, 5.634459251292878e-20, 1e-30, 'I2');
  // ε = ½ Σ c_u c_w I2_uw, c = (1, 1, −1, −1): sixteen O(1) terms cancelling to 2.6e-13 (in double
  // this sum gives 2.5813e-13, 1.7e-4 off).
  const c = [1, 1, -1, -1];
  let s: DD = ZERO;
  for (let u = 0; u < 4; u++) for (let w = 0; w < 4; w++) s = add(s, mulD(X.I2(dds(sub2(C, [u, w]))), c[u] * c[w]));
  const loss = toNumber(mul(s, dd(0.5)));
  assert.ok(Math.abs(loss - 2.58171579190052106442315e-13) < 1e-12 * 2.58e-13, `ε = ${loss}`);
});

test('the 4-orthant with several students on one teacher (cross correlations 0.5–0.9, late p = 3, p* = 2 states) agrees with independent 40-digit values to the rounding of the double reference', () => {
  // Covariances and values as in orthant.test.ts (bench/orthant4_mpmath.py). With the graded rule
  // switched on only above cross correlations of 0.9 these were 3.6e-10 and 7.6e-10 off.
  const cases: [number[], number][] = [
    [[0.5766117835838807, -0.12960705238052536, 0.2176944060635395, -0.08611714111341505, -0.12960705238052536, 0.6518157937542397, 0.1925845943906648, 0.8015784867649611, 0.2176944060635395, 0.1925845943906648, 0.19443612344589084, 0.27964215320900054, -0.08611714111341505, 0.8015784867649611, 0.27964215320900054, 1.0000000000000016], 0.209531200440470320711159595987],
    [[0.6518157937542397, 0.1925845943906648, -0.08356556412920574, 0.8015784867649611, 0.1925845943906648, 0.19443612344589084, 0.3278869491915882, 0.27964215320900054, -0.08356556412920574, 0.3278869491915882, 1.0000000000000004, -2.7276791936259315e-17, 0.8015784867649611, 0.27964215320900054, -2.7276791936259315e-17, 1.0000000000000016], 0.228624687764967474785565235728],
  ];
  for (const [C, reference] of cases) {
    const v = orthant4DD(C.map((x) => dd(x)));
    // The reference is rounded to double here (≤ 1.4e-17), so 5e-17 is the test's resolution.
    assert.ok(Math.abs(v.h - reference + v.l) <= 5e-17, `off by ${v.h - reference + v.l}`);
  }
});
