import { test } from 'node:test';
import assert from 'node:assert/strict';
import { integrate, type VectorField } from './dopri5.js';

// Harmonic oscillator y'' = −y: y = (cos t, −sin t), smooth and non-trivial in every component.
const oscillator: VectorField = (_t, y, dy) => { dy[0] = y[1]; dy[1] = -y[0]; };
const exact = (t: number) => [Math.cos(t), -Math.sin(t)];
const error = (y: Float64Array, t: number) => Math.hypot(y[0] - exact(t)[0], y[1] - exact(t)[1]);

test('fixed-step Dormand–Prince has global order 5 (error ratio ≈ 32 per halving, observed order in [4.7, 5.3])', () => {
  const T = 4;
  const errs = [0.4, 0.2, 0.1].map((h) => {
    const r = integrate(oscillator, Float64Array.of(1, 0), { saveAt: [T], fixedStep: h });
    return error(r.y[0], T);
  });
  for (let i = 1; i < errs.length; i++) {
    const order = Math.log2(errs[i - 1] / errs[i]);
    assert.ok(order > 4.7 && order < 5.3, `observed order ${order.toFixed(2)} (errors ${errs})`);
  }
});

test('dense output between steps has local order ≥ 4 (interpolation error shrinks ≥ 2⁴·0.8 per halving of h)', () => {
  // One step of size h, interpolated at θ = 0.37: the error of the continuous extension is O(h⁵).
  const errs = [0.8, 0.4, 0.2].map((h) => {
    const t = 0.37 * h;
    const r = integrate(oscillator, Float64Array.of(1, 0), { saveAt: [t, h], fixedStep: h });
    return error(r.y[0], t);
  });
  for (let i = 1; i < errs.length; i++) assert.ok(errs[i - 1] / errs[i] > 16 * 0.8, `ratio ${errs[i - 1] / errs[i]} (errors ${errs})`);
});

test('adaptive control: the global error follows the tolerance (rtol 1e-6 → < 1e-5, rtol 1e-10 → < 1e-9) and saves every requested time', () => {
  const saveAt = Array.from({ length: 50 }, (_, i) => (i * 20) / 49);
  for (const [rtol, bound] of [[1e-6, 1e-5], [1e-10, 1e-9]]) {
    const r = integrate(oscillator, Float64Array.of(1, 0), { saveAt, rtol, atol: rtol * 1e-3 });
    assert.equal(r.status, 'completed');
    assert.equal(r.t.length, saveAt.length);
    const worst = Math.max(...r.y.map((y, i) => error(y, saveAt[i])));
    assert.ok(worst < bound, `rtol ${rtol}: worst error ${worst}`);
  }
});

test('a finite-time blow-up (y′ = y², y(0) = 1, singular at t = 1) stops as diverged, not with NaN', () => {
  const r = integrate((_t, y, dy) => { dy[0] = y[0] * y[0]; }, Float64Array.of(1), {
    saveAt: [0.5, 2],
    divergence: (t, y) => (Math.abs(y[0]) > 1e6 ? `blew up at t = ${t}` : null),
  });
  assert.equal(r.status, 'diverged');
  assert.ok(r.tEnd > 0.999 && r.tEnd < 1, `stopped at ${r.tEnd}`);
  assert.equal(r.t.length, 1);
  assert.ok(Math.abs(r.y[0][0] - 2) < 1e-8); // y(0.5) = 1/(1 − 0.5)
});

test('an output functional keeps its relative accuracy when it is a cancellation of O(1) components (g = y₀ − y₁ = e^{−t} to 10⁻⁶ relative at t = 15), which component tolerances alone do not', () => {
  // y₀ = 1 + e^{−t}, y₁ = 1: g falls to 3·10⁻⁷ while both components stay O(1), so a component
  // tolerance rtol·|y| = 10⁻⁶ allows absolute errors that are O(1) relative to g.
  const f: VectorField = (_t, y, dy) => { dy[0] = -(y[0] - y[1]); dy[1] = 0; };
  const saveAt = [5, 10, 15];
  const rel = (r: ReturnType<typeof integrate>) => Math.max(...saveAt.map((t, i) => Math.abs(r.y[i][0] - r.y[i][1] - Math.exp(-t)) / Math.exp(-t)));
  const plain = integrate(f, Float64Array.of(2, 1), { saveAt, rtol: 1e-6, atol: 1e-12 });
  const output = { g: (y: Float64Array) => ({ value: y[0] - y[1], floor: 4 * Number.EPSILON }), rtol: 1e-8 };
  const controlled = integrate(f, Float64Array.of(2, 1), { saveAt, rtol: 1e-6, atol: 1e-12, output });
  assert.ok(rel(plain) > 1e-4, `without output control: ${rel(plain)}`);
  assert.ok(rel(controlled) < 1e-6, `with output control: ${rel(controlled)}`);
});

// Rotation on the unit circle whose field is NaN off it (by more than 1e-6 in r²), as a
// covariance's right-hand side is NaN once a trial state stops being positive definite.
const circleOnly: VectorField = (_t, y, dy) => {
  const r2 = y[0] * y[0] + y[1] * y[1];
  dy[0] = r2 > 1 + 1e-6 ? NaN : -y[1];
  dy[1] = y[0];
};

test('a NaN right-hand side at the starting-step probe or at a trial stage shrinks the step: both methods reach the exact rotation to 1e-8', () => {
  // From (√½, √½) Hairer's starting probe (an Euler step of 0.01) lands at r² = 1 + 1e-4, where
  // the field is NaN: the run failed at t = 0 with a step-size underflow. From (1, 0) the probe is
  // fine, but 8(5,3)'s larger steps put trial stages off the circle: its error norm came out NaN,
  // was read as 0 and the step was accepted, a run 'completed' with NaN in every saved state.
  for (const y0 of [[Math.SQRT1_2, Math.SQRT1_2], [1, 0]]) {
    for (const method of ['dopri5', 'dop853'] as const) {
      const r = integrate(circleOnly, Float64Array.from(y0), { saveAt: [1, 2], method });
      assert.equal(r.status, 'completed', `${method} from (${y0}): ${r.message}`);
      const phase = Math.atan2(y0[1], y0[0]);
      r.t.forEach((t, i) => {
        const dev = Math.hypot(r.y[i][0] - Math.cos(phase + t), r.y[i][1] - Math.sin(phase + t));
        assert.ok(dev < 1e-8, `${method} from (${y0}) at t = ${t}: off by ${dev}`);
      });
    }
  }
});
