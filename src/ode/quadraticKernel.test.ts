import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quadraticPerpForm, type PerpForm } from './quadratic.js';
import { integrate, type VectorField } from './dopri5.js';
import type { Dopri5Stepper } from './integrateTypes.js';
import { Rng } from '../random/rng.js';

/**
 * A (Q⊥, M) start for width p: a random student (seeded) near the teacher subspace plus a random
 * component, against a P that is not the identity (so that P⁻¹ and P²/p* are not trivial).
 */
function start(p: number, pStar: number, seed: number): { params: Parameters<typeof quadraticPerpForm>[0]; Q: Float64Array; M: Float64Array } {
  const rng = new Rng(seed);
  const P = new Float64Array(pStar * pStar);
  for (let a = 0; a < pStar; a++) for (let b = 0; b < pStar; b++) P[a * pStar + b] = (a === b ? 1 : 0) + 0.2 / (1 + a + b);
  const W = Array.from({ length: p }, () => Float64Array.from({ length: p + pStar }, () => (0.1 * rng.gaussian()) / Math.sqrt(p)));
  const Q = new Float64Array(p * p), M = new Float64Array(p * pStar);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < p; j++) Q[i * p + j] = W[i].reduce((s, w, l) => s + w * W[j][l], 0);
    for (let a = 0; a < pStar; a++) M[i * pStar + a] = W[i][a] + (i % pStar === a ? 0.1 : 0);
    Q[i * p + i] += 0.01 + (i % pStar === 0 ? 0.01 : 0); // keeps C = [[Q, M], [Mᵀ, P]] positive definite
  }
  return { params: { p, pStar, eta: 0.4, noise: 0.01, P, weightDecay: 0.002 }, Q, M };
}

/** The vector field as solveOde builds it (with the form's kernel step when it has one), counting the kernel steps. */
function fieldOf(form: PerpForm, counter: { steps: number }): VectorField {
  const f = (_t: number, y: Float64Array, dy: Float64Array) => form.rhs(y, dy);
  const s = form.dopri5;
  if (!s) return f;
  const counted: Dopri5Stepper = { ...s, step: (h, rtol, atol) => { counter.steps++; return s.step(h, rtol, atol); } };
  return Object.assign(f, { dopri5: counted });
}

test('the kernel\'s Dormand–Prince 5(4) step gives the JavaScript loop\'s bits: adaptive runs with the loss control (every saved state, accepted and rejected steps) and fixed steps, p = 3, 5, 8, 16 (p* = 2), 7 (p* = 3), 9 (p* = 1), 4 (p* = 4), state lengths odd and even', () => {
  let rejected = 0;
  for (const [p, pStar] of [[3, 2], [5, 2], [8, 2], [16, 2], [7, 3], [9, 1], [4, 4]]) {
    const n = p * p + p * pStar;
    const { params, Q, M } = start(p, pStar, 100 + p);
    const wasm = quadraticPerpForm(params)!, js = quadraticPerpForm(params, 'js')!;
    assert.ok(wasm.dopri5, 'Node has WebAssembly SIMD: the form has its kernel step');
    assert.ok(!js.dopri5, 'the JavaScript engine has none (dopri5.ts takes its own stages)');
    const y0 = wasm.toPerp(Q, M);
    const saveAt = Array.from({ length: 20 }, (_, i) => (i + 1) * 5 * p);
    const run = (form: PerpForm, counter: { steps: number }) => integrate(fieldOf(form, counter), y0, {
      saveAt, rtol: 1e-10, atol: 1e-14,
      output: { g: (y) => { const r = form.lossAndFloor(y); return { value: r.loss, floor: r.floor }; }, rtol: 1e-8 },
    });
    const kw = { steps: 0 }, kj = { steps: 0 };
    const a = run(wasm, kw), b = run(js, kj);
    const where = `p = ${p}, p* = ${pStar} (n = ${n})`;
    assert.equal(a.status, 'completed', where);
    assert.equal(kw.steps, a.acceptedSteps + a.rejectedSteps, `${where}: every step taken by the kernel`);
    assert.equal(kj.steps, 0);
    assert.deepEqual([a.acceptedSteps, a.rejectedSteps, a.rhsEvaluations], [b.acceptedSteps, b.rejectedSteps, b.rhsEvaluations], where);
    assert.equal(a.y.length, saveAt.length, where);
    for (let k = 0; k < a.y.length; k++) assert.deepEqual(a.y[k], b.y[k], `${where}, save point ${k}`);
    rejected += a.rejectedSteps;
    // A fixed step (the benchmark's): the kernel also computes the error estimate, which is not used.
    const h = 0.05;
    const fa = integrate(fieldOf(wasm, kw), y0, { saveAt: [40 * h], fixedStep: h }), fb = integrate(fieldOf(js, kj), y0, { saveAt: [40 * h], fixedStep: h });
    assert.deepEqual(fa.yEnd, fb.yEnd, `${where}, fixed step`);
  }
  assert.ok(rejected > 0, 'some step was rejected (the kernel\'s error estimate drives the control)');
});
