import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pairExpectations, ERF_QUADRATURE_MAX_VARIANCE } from './mixed.js';
import { activations } from './activations.js';
import { OnepassError } from '../model/errors.js';

// Closed form by Stein's lemma: E[erf(a/√2) b] = C_ab E[erf'(a/√2)/√2 · √2] = C_ab √(2/π)/√(1 + C_aa).
const erfLinearI2 = (Caa: number, Cab: number) => Cab * Math.sqrt(2 / Math.PI) / Math.sqrt(1 + Caa);

test('mixed erf–linear quadrature matches the closed form E[erf(a/√2) b] = C_ab √(2/π)/√(1 + C_aa) to 1e-12 up to the resolved variance', () => {
  const E = pairExpectations(activations.erf, activations.linear);
  for (const Caa of [0.01, 0.5, 1, ERF_QUADRATURE_MAX_VARIANCE]) {
    const Cab = 0.5 * Math.sqrt(Caa);
    const v = E.I2([Caa, Cab, Cab, 1], 'student', 'teacher');
    assert.ok(Math.abs(v / erfLinearI2(Caa, Cab) - 1) < 1e-12, `C_aa = ${Caa}: ${v} vs ${erfLinearI2(Caa, Cab)}`);
  }
});

test('a mixed erf expectation with an erf argument wider than the quadrature resolves is refused, not silently off (2 % at variance 100)', () => {
  const E = pairExpectations(activations.erf, activations.linear);
  const wide = 3;
  const Cab = 0.5 * Math.sqrt(wide);
  assert.throws(() => E.I2([wide, Cab, Cab, 1], 'student', 'teacher'), (e: unknown) => e instanceof OnepassError && /^teacherActivation: .*variance ≤ 2; one reached 3\.00/.test(e.message));
  // the four-variable rule too, and an erf teacher with a wide P
  const C4 = [1, 0.2, 0.1, 0.1, 0.2, 1, 0.1, 0.1, 0.1, 0.1, wide, 0.2, 0.1, 0.1, 0.2, 1];
  assert.throws(() => pairExpectations(activations.square, activations.erf).I4(C4, 'teacher', 'student'), OnepassError);
  // linear and square arguments are polynomials: any variance is exact, nothing refused
  assert.doesNotThrow(() => pairExpectations(activations.square, activations.linear).I4(C4, 'teacher', 'student'));
});
