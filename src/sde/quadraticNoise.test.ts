import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quadraticNoise } from './quadraticNoise.js';
import { quadraticRhs } from '../ode/quadratic.js';
import { weightsWithOverlaps } from '../model/init.js';
import { Rng } from '../random/rng.js';
import { randomCovariance } from '../testing/stats.js';

/** Overlaps (Q, M) with P = I from a random (p + p*)-covariance rescaled so that its P block is I. */
function someOverlaps(p: number, pStar: number, seed: number) {
  const n = p + pStar;
  const C = randomCovariance(n, new Rng(seed));
  // Whiten the teacher block: C ← T C Tᵀ with T = diag(I, L⁻¹), L the Cholesky factor of C_νν.
  const L = new Float64Array(pStar * pStar);
  for (let i = 0; i < pStar; i++) for (let j = 0; j <= i; j++) {
    let s = C[(p + i) * n + p + j];
    for (let k = 0; k < j; k++) s -= L[i * pStar + k] * L[j * pStar + k];
    L[i * pStar + j] = i === j ? Math.sqrt(s) : s / L[j * pStar + j];
  }
  const Linv = new Float64Array(pStar * pStar);
  for (let c = 0; c < pStar; c++) for (let i = 0; i < pStar; i++) {
    let s = i === c ? 1 : 0;
    for (let k = 0; k < i; k++) s -= L[i * pStar + k] * Linv[k * pStar + c];
    Linv[i * pStar + c] = s / L[i * pStar + i];
  }
  const Q = new Float64Array(p * p), M = new Float64Array(p * pStar), P = new Float64Array(pStar * pStar);
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) Q[i * p + j] = C[i * n + j];
  for (let i = 0; i < p; i++) for (let j = 0; j < pStar; j++) {
    let s = 0;
    for (let k = 0; k < pStar; k++) s += C[i * n + p + k] * Linv[j * pStar + k];
    M[i * pStar + j] = s;
  }
  for (let i = 0; i < pStar; i++) P[i * pStar + i] = 1;
  return { p, pStar, Q, M, P };
}

test('the noise model\'s mean E Z is the ODE drift of src/ode/quadratic.ts (two independent derivations agree to 1e-12)', () => {
  const o = someOverlaps(4, 2, 3);
  const eta = 0.7, noise = 0.4;
  const nz = quadraticNoise(4, 2, eta, noise, o.P);
  const D = nz.layout.dim, mean = new Float64Array(D), cov = new Float64Array(D * D);
  nz.moments(o.Q, o.M, mean, cov);
  const y = new Float64Array(16 + 8), dy = new Float64Array(24);
  y.set(o.Q); y.set(o.M, 16);
  quadraticRhs({ p: 4, pStar: 2, eta, noise, P: o.P })(y, dy);
  const { a, b, isQ } = nz.layout;
  for (let x = 0; x < D; x++) {
    const want = isQ[x] ? dy[a[x] * 4 + b[x]] : dy[16 + a[x] * 2 + (b[x] - 4)];
    assert.ok(Math.abs(mean[x] - want) <= 1e-12 * (1 + Math.abs(want)), `coordinate ${x}: ${mean[x]} vs ${want}`);
  }
});

test('Cov of N × (one SGD step\'s increment of (Q, M)) from exact moments matches single steps drawn with N = 2000 weights and inputs (every entry within 4.5 standard errors, 40000 steps)', () => {
  // p = 3, p* = 2, η = 1 (the O(η²) part of the Q increment matters), Δ = 0.3 (the ζ terms of (9)).
  const p = 3, pStar = 2, N = 2000, eta = 1, noise = 0.3, samples = 40000;
  const o = someOverlaps(p, pStar, 11);
  const nz = quadraticNoise(p, pStar, eta, noise, o.P);
  const D = nz.layout.dim, mean = new Float64Array(D), cov = new Float64Array(D * D);
  nz.moments(o.Q, o.M, mean, cov);
  const w = weightsWithOverlaps(o, N, new Rng(5, 'general', 1));
  const rng = new Rng(5, 'general', 2);
  const x = new Float64Array(N), lam = new Float64Array(p), nu = new Float64Array(pStar), g = new Float64Array(p), Z = new Float64Array(D);
  const s1 = new Float64Array(D), s2 = new Float64Array(D * D), s4 = new Float64Array(D * D);
  const { a, b, isQ } = nz.layout;
  const rows: Float64Array[] = [];
  const sq = Math.sqrt(N);
  for (let t = 0; t < samples; t++) {
    rng.fillGaussian(x);
    let xx = 0;
    for (let i = 0; i < N; i++) xx += x[i] * x[i];
    for (let k = 0; k < p; k++) { let s = 0; for (let i = 0; i < N; i++) s += w.W[k * N + i] * x[i]; lam[k] = s / sq; }
    for (let j = 0; j < pStar; j++) { let s = 0; for (let i = 0; i < N; i++) s += w.teacher[j * N + i] * x[i]; nu[j] = s / sq; }
    let e = -Math.sqrt(noise) * rng.gaussian();
    for (let k = 0; k < p; k++) e += lam[k] * lam[k] / p;
    for (let j = 0; j < pStar; j++) e -= nu[j] * nu[j] / pStar;
    // The step w_k ← w_k + g_k x, g_k = −(2η/p) e λ_k/√N; N ΔQ and N ΔM of the new weights, exactly (eq. (2)).
    for (let k = 0; k < p; k++) g[k] = (-2 * eta / p) * e * lam[k];
    for (let c = 0; c < D; c++) {
      const k = a[c], l = b[c];
      Z[c] = isQ[c] ? g[k] * lam[l] + g[l] * lam[k] + g[k] * g[l] * xx / N : g[k] * nu[l - p];
      s1[c] += Z[c];
    }
    rows.push(Float64Array.from(Z));
  }
  for (let c = 0; c < D; c++) s1[c] /= samples;
  for (const r of rows) for (let c = 0; c < D; c++) for (let d = c; d < D; d++) {
    const v = (r[c] - s1[c]) * (r[d] - s1[d]);
    s2[c * D + d] += v; s4[c * D + d] += v * v;
  }
  let worst = 0;
  for (let c = 0; c < D; c++) for (let d = c; d < D; d++) {
    const m = s2[c * D + d] / samples;
    const se = Math.sqrt(Math.max(s4[c * D + d] / samples - m * m, 0) / samples);
    const z = Math.abs(m - cov[c * D + d]) / se;
    worst = Math.max(worst, z);
    assert.ok(z < 4.5, `Cov[${c}][${d}]: Monte Carlo ${m} ± ${se}, exact ${cov[c * D + d]} (${z.toFixed(1)} SE)`);
  }
  assert.ok(worst > 0.5, 'the comparison is informative (some entry differs by more than half a standard error)');
});

test('the WebAssembly loops of the covariance and its Cholesky factor give the JavaScript\'s bits (p = 4, p* = 2 and p = 3, p* = 1, label noise, three overlaps each); the factor reproduces the covariance', () => {
  for (const [p, pStar] of [[4, 2], [3, 1]]) {
    for (const seed of [1, 2, 3]) {
      const { Q, M, P } = someOverlaps(p, pStar, seed);
      const js = quadraticNoise(p, pStar, 0.7, 0.2, P, 'js'), wasm = quadraticNoise(p, pStar, 0.7, 0.2, P, 'wasm');
      const D = js.layout.dim;
      const mean = [new Float64Array(D), new Float64Array(D)], cov = [new Float64Array(D * D), new Float64Array(D * D)];
      js.moments(Q, M, mean[0], cov[0], 0.4);
      wasm.moments(Q, M, mean[1], cov[1], 0.4);
      assert.deepEqual(mean[1], mean[0]);
      assert.deepEqual(cov[1], cov[0]);
      const Lj = Float64Array.from(js.factor(Q, M, 0.4)), Lw = wasm.factor(Q, M, 0.4);
      assert.deepEqual(Lw, Lj);
      // L Lᵀ = Cov Z (positive definite here), to rounding.
      let scale = 0;
      for (let i = 0; i < D; i++) scale = Math.max(scale, cov[0][i * D + i]);
      for (let i = 0; i < D; i++) for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let k = 0; k <= j; k++) s += Lj[i * D + k] * Lj[j * D + k];
        assert.ok(Math.abs(s - cov[0][i * D + j]) < 1e-12 * scale, `(${i}, ${j})`);
      }
    }
  }
});
