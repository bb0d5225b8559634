import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rowDotsWorkspace, rowDotsUpperJs } from './rowDots.js';
import { quadraticPerpForm, quadraticRhs } from './quadratic.js';
import { Rng } from '../random/rng.js';

test('the WebAssembly row products give the same bits as the JavaScript loop, and Σ_l A_il B_jl to 1e-14 (p odd and even, 1 to 33; p* = 1, 2, 3)', () => {
  const rng = new Rng(3);
  for (const [p, n] of [[1, 1], [2, 2], [3, 3], [7, 2], [16, 3], [33, 1]]) {
    const wasm = rowDotsWorkspace(p, n), js = rowDotsWorkspace(p, n, 'js');
    assert.equal(wasm.engine, 'wasm', 'this Node has WebAssembly SIMD');
    for (let i = 0; i < p * p; i++) { wasm.X[i] = js.X[i] = rng.gaussian(); wasm.G[i] = js.G[i] = rng.gaussian(); }
    for (let i = 0; i < p * n; i++) wasm.Mt[i] = js.Mt[i] = rng.gaussian();
    wasm.squareX(); js.squareX(); wasm.productGX(); js.productGX();
    assert.deepEqual(wasm.U, js.U);
    assert.deepEqual(wasm.GM, js.GM);
    for (let i = 0; i < p; i++) for (let m = 0; m < n; m++) {
      let u = 0, gm = 0, scale = 0;
      for (let l = 0; l < p; l++) { u += wasm.X[i * p + l] * wasm.Mt[m * p + l]; gm += wasm.G[i * p + l] * wasm.Mt[m * p + l]; scale += Math.abs(wasm.X[i * p + l] * wasm.Mt[m * p + l]) + Math.abs(wasm.G[i * p + l] * wasm.Mt[m * p + l]); }
      assert.ok(Math.abs(wasm.U[i * n + m] - u) <= 1e-14 * scale && Math.abs(wasm.GM[i * n + m] - gm) <= 1e-14 * scale, `p = ${p} U, GM (${i}, ${m})`);
    }
    for (let i = 0; i < p; i++) for (let j = i; j < p; j++) {
      let x2 = 0, gx = 0, scale = 0;
      for (let l = 0; l < p; l++) { x2 += wasm.X[i * p + l] * wasm.X[j * p + l]; gx += wasm.G[i * p + l] * wasm.X[j * p + l]; scale += Math.abs(wasm.G[i * p + l] * wasm.X[j * p + l]) + wasm.X[i * p + l] ** 2; }
      assert.equal(wasm.X2[i * p + j], js.X2[i * p + j], `p = ${p}, X²[${i}][${j}]`);
      assert.equal(wasm.GX[i * p + j], js.GX[i * p + j], `p = ${p}, GX[${i}][${j}]`);
      assert.ok(Math.abs(wasm.X2[i * p + j] - x2) <= 1e-14 * scale && Math.abs(wasm.GX[i * p + j] - gx) <= 1e-14 * scale, `p = ${p} (${i}, ${j})`);
    }
  }
  // Offsets into one array (the JavaScript entry point reads rows from anywhere).
  const A = Float64Array.of(9, 1, 2, 3, 4), C = new Float64Array(4);
  rowDotsUpperJs(A, 1, A, 1, 2, C);
  assert.deepEqual([C[0], C[1], C[3]], [1 + 4, 3 + 8, 9 + 16]);
});

test('wide (Q⊥, M) right-hand side: the same bits with either engine, and d/dα (Q − MP⁻¹Mᵀ) along the (Q, M) equations (central differences, 1e-7) at p = 17, 24, p* = 3, 2', () => {
  const rng = new Rng(8);
  for (const [p, pStar] of [[17, 3], [24, 2]]) {
    // A random positive-definite P and a student near the teacher subspace plus a random component.
    const P = new Float64Array(pStar * pStar);
    for (let a = 0; a < pStar; a++) for (let b = 0; b < pStar; b++) P[a * pStar + b] = (a === b ? 1 : 0) + 0.2 / (1 + a + b);
    const W = Array.from({ length: p }, () => Float64Array.from({ length: p + pStar }, () => rng.gaussian() / Math.sqrt(p)));
    const Q = new Float64Array(p * p), M = new Float64Array(p * pStar);
    for (let i = 0; i < p; i++) {
      for (let j = 0; j < p; j++) Q[i * p + j] = W[i].reduce((s, w, l) => s + w * W[j][l], 0);
      for (let a = 0; a < pStar; a++) M[i * pStar + a] = 0.5 * W[i][a] + (i % pStar === a ? 0.3 : 0);
      Q[i * p + i] += 0.3; // keeps C = [[Q, M], [Mᵀ, P]] positive definite
    }
    const params = { p, pStar, eta: 0.4, noise: 0.02, P, weightDecay: 0.05 };
    const wasm = quadraticPerpForm(params)!, js = quadraticPerpForm(params, 'js')!;
    const y = Float64Array.from([...Q, ...M]), dy = new Float64Array(y.length);
    quadraticRhs(params)(y, dy);
    const perp = wasm.toPerp(Q, M), dw = new Float64Array(y.length), dj = new Float64Array(y.length);
    wasm.rhs(perp, dw);
    js.rhs(perp, dj);
    assert.deepEqual(dw, dj);
    const h = 1e-6, pp = p * p;
    const at = (s: number) => { const z = y.map((v, i) => v + s * h * dy[i]); return wasm.toPerp(z.subarray(0, pp), z.subarray(pp)); };
    const plus = at(1), minus = at(-1);
    let scale = 0;
    for (let i = 0; i < y.length; i++) scale = Math.max(scale, Math.abs(dw[i]));
    for (let i = 0; i < y.length; i++) {
      const fd = (plus[i] - minus[i]) / (2 * h);
      assert.ok(Math.abs(fd - dw[i]) < 1e-7 * scale, `p = ${p}, component ${i}: ${dw[i]} vs ${fd}`);
    }
  }
});
