import { test } from 'node:test';
import assert from 'node:assert/strict';
import { integrate, type VectorField } from './dopri5.js';
import { DOP853_TABLEAU } from './dop853.js';

// Harmonic oscillator y'' = −y: y = (cos t, −sin t), smooth and non-trivial in every component.
const oscillator: VectorField = (_t, y, dy) => { dy[0] = y[1]; dy[1] = -y[0]; };
const exact = (t: number) => [Math.cos(t), -Math.sin(t)];
const error = (y: Float64Array, t: number) => Math.hypot(y[0] - exact(t)[0], y[1] - exact(t)[1]);
const sum = (row: readonly (readonly [number, number])[], w: (j: number) => number = () => 1) => row.reduce((s, [j, a]) => s + a * w(j), 0);

test('the 8(5,3) tableau as transcribed: each stage row sums to its node, the weights b integrate t^q exactly for q ≤ 7, both error rows sum to 0', () => {
  const { C, A, E5, E3 } = DOP853_TABLEAU;
  for (let s = 1; s < A.length; s++) assert.ok(Math.abs(sum(A[s]) - C[s]) < 1e-14, `row ${s}: Σa = ${sum(A[s])}, c = ${C[s]}`);
  // Quadrature conditions Σ b_i c_i^q = 1/(q + 1): a wrong digit in b or c breaks one of them.
  for (let q = 0; q <= 7; q++) {
    const s = sum(A[12], (j) => C[j] ** q);
    assert.ok(Math.abs(s - 1 / (q + 1)) < 1e-13, `q = ${q}: ${s}`);
  }
  // An order-8 condition that involves the a_ij: Σ b_i c_i^6 (Σ_j a_ij c_j) = 1/(8·2) … for the
  // stages used by b, Σ_j a_ij c_j = c_i²/2 (stage order 2), so Σ b_i c_i^5 · c_i²/2 = 1/16.
  const s2 = sum(A[12], (i) => C[i] ** 5 * sum(A[i], (j) => C[j]));
  assert.ok(Math.abs(s2 - 1 / 16) < 1e-13, `Σ b c⁵ (Ac) = ${s2}`);
  assert.ok(Math.abs(sum(E5)) < 1e-14 && Math.abs(sum(E3)) < 1e-14, `Σ E5 = ${sum(E5)}, Σ E3 = ${sum(E3)}`);
});

test('fixed-step Dormand–Prince 8(5,3) has global order 8 (observed order per halving in [7.5, 8.5])', () => {
  const T = 8;
  const errs = [1, 0.5, 0.25].map((h) => {
    const r = integrate(oscillator, Float64Array.of(1, 0), { saveAt: [T], fixedStep: h, method: 'dop853' });
    return error(r.y[0], T);
  });
  for (let i = 1; i < errs.length; i++) {
    const order = Math.log2(errs[i - 1] / errs[i]);
    assert.ok(order > 7.5 && order < 8.5, `observed order ${order.toFixed(2)} (errors ${errs})`);
  }
});

test('its continuous extension has local order 7 (interpolation error shrinks ≥ 2⁸·0.8 per halving of h)', () => {
  const errs = [1.6, 0.8, 0.4].map((h) => {
    const t = 0.37 * h;
    const r = integrate(oscillator, Float64Array.of(1, 0), { saveAt: [t, h], fixedStep: h, method: 'dop853' });
    return error(r.y[0], t);
  });
  for (let i = 1; i < errs.length; i++) assert.ok(errs[i - 1] / errs[i] > 256 * 0.8, `ratio ${errs[i - 1] / errs[i]} (errors ${errs})`);
});

test('adaptive 8(5,3): the global error follows the tolerance (rtol 1e-6 → < 1e-5, rtol 1e-11 → < 1e-10) at every save time, in fewer evaluations than 5(4)', () => {
  const saveAt = Array.from({ length: 50 }, (_, i) => (i * 20) / 49);
  for (const [rtol, bound] of [[1e-6, 1e-5], [1e-11, 1e-10]]) {
    const r = integrate(oscillator, Float64Array.of(1, 0), { saveAt, rtol, atol: rtol * 1e-3, method: 'dop853' });
    const r5 = integrate(oscillator, Float64Array.of(1, 0), { saveAt, rtol, atol: rtol * 1e-3 });
    assert.equal(r.status, 'completed');
    assert.deepEqual(Array.from(r.t), saveAt);
    const worst = Math.max(...r.y.map((y, i) => error(y, saveAt[i])));
    assert.ok(worst < bound, `rtol ${rtol}: worst error ${worst}`);
    if (rtol < 1e-8) assert.ok(r.rhsEvaluations < r5.rhsEvaluations, `${r.rhsEvaluations} evaluations against ${r5.rhsEvaluations}`);
  }
});

test('8(5,3) with an output functional keeps its relative accuracy where component tolerances do not (g = y₀ − y₁ = e^{−t} to 10⁻⁶ relative at t = 15)', () => {
  const f: VectorField = (_t, y, dy) => { dy[0] = -(y[0] - y[1]); dy[1] = 0; };
  const saveAt = [5, 10, 15];
  const rel = (r: ReturnType<typeof integrate>) => Math.max(...saveAt.map((t, i) => Math.abs(r.y[i][0] - r.y[i][1] - Math.exp(-t)) / Math.exp(-t)));
  const plain = integrate(f, Float64Array.of(2, 1), { saveAt, rtol: 1e-5, atol: 1e-11, method: 'dop853' });
  const output = { g: (y: Float64Array) => ({ value: y[0] - y[1], floor: 4 * Number.EPSILON }), rtol: 1e-8 };
  const controlled = integrate(f, Float64Array.of(2, 1), { saveAt, rtol: 1e-5, atol: 1e-11, output, method: 'dop853' });
  assert.ok(rel(plain) > 1e-5, `without output control: ${rel(plain)}`);
  assert.ok(rel(controlled) < 1e-6, `with output control: ${rel(controlled)}`);
});

test('8(5,3): a finite-time blow-up (y′ = y², singular at t = 1) stops as diverged with the earlier save kept', () => {
  const r = integrate((_t, y, dy) => { dy[0] = y[0] * y[0]; }, Float64Array.of(1), {
    saveAt: [0.5, 2], method: 'dop853',
    divergence: (t, y) => (Math.abs(y[0]) > 1e6 ? `blew up at t = ${t}` : null),
  });
  assert.equal(r.status, 'diverged');
  assert.ok(r.tEnd > 0.999 && r.tEnd < 1, `stopped at ${r.tEnd}`);
  assert.equal(r.t.length, 1);
  assert.ok(Math.abs(r.y[0][0] - 2) < 1e-8);
});
