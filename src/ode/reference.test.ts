/**
 * Independent references for the overlap ODEs. Nothing here shares code with the implementation:
 * the random generator, the Gaussian sampler, the Cholesky factor, the activations (erf
 * included), the network output and the defining expectations are written out below. From the
 * library this file imports only what it tests, and the public path to it (parseConfig →
 * makeProblem → overlapRhs / solveOde, committeePopulationLoss).
 *
 * - The right-hand side, every activation and readout, with and without label noise, weight
 *   decay and a trained second layer, against Monte-Carlo estimates of its defining expectations
 *   (README, "Other activations"): each component within K_SIGMA standard errors at SAMPLES
 *   samples, and each case is checked to be decisive (the same comparison with the η² SGD-noise
 *   part, or the label-noise part, scaled by 1.1 fails somewhere).
 * - The Saad–Solla plateau (erf, K = M, sum readout, T = I): Q = C = 1/(2K−1),
 *   R = S = 1/√(K(2K−1)); at that point every pairwise argument of the arcsin formula equals 1/(2K),
 *   so ε = K/6 − (K²/π) arcsin(1/(2K)) (K = 2: 1/3 − (4/π) arcsin(1/4)), checked against the
 *   library's loss and against a Monte-Carlo estimate of ½E[e²].
 * - nn2pp's published setup (Goldt et al. 2019, github.com/sgoldt/nn2pp, scmpp_ode with its
 *   default large initialisation at zero initial overlap): erf, K = M = 2, sum readout, η = 0.5,
 *   Q = I, R = 0, T = I: ε(α = 300) = 0.014678.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../model/config.js';
import { makeProblem, initialCondition } from '../model/problem.js';
import { overlapRhs, solveOde } from './solve.js';
import { committeePopulationLoss } from './committee.js';

const K_SIGMA = 4.5;
const SAMPLES = 100_000;

/** mulberry32: a small 32-bit generator, two draws per double (test-only, independent of src/sim/rng.ts). */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0);
  };
  return () => (next() * 2 ** 21 + (next() >>> 11) + 0.5) / 2 ** 53; // in (0, 1)
}

/** Standard normals by Box–Muller. */
function normals(seed: number): () => number {
  const u = generator(seed);
  let spare: number | null = null;
  return () => {
    if (spare !== null) { const s = spare; spare = null; return s; }
    const r = Math.sqrt(-2 * Math.log(u())), t = 2 * Math.PI * u();
    spare = r * Math.sin(t);
    return r * Math.cos(t);
  };
}

/** erf by its Taylor series for |x| < 2.5 and the continued fraction of erfc beyond (error < 1e-13). */
function erfRef(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2.5) {
    let term = x, sum = x;
    for (let n = 1; n < 80; n++) {
      term *= (-x * x) / n;
      sum += term / (2 * n + 1);
      if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc(x) = e^{−x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), evaluated from the tail.
  let f = ax;
  for (let n = 60; n >= 1; n--) f = ax + (n / 2) / f;
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  return Math.sign(x) * (1 - erfc);
}

interface Act { readonly g: (z: number) => number; readonly dg: (z: number) => number }
const ACTS: Record<string, Act> = {
  square: { g: (z) => z * z, dg: (z) => 2 * z },
  erf: { g: (z) => erfRef(z / Math.SQRT2), dg: (z) => Math.sqrt(2 / Math.PI) * Math.exp(-z * z / 2) },
  relu: { g: (z) => (z > 0 ? z : 0), dg: (z) => (z > 0 ? 1 : 0) },
  linear: { g: (z) => z, dg: () => 1 },
};

/** A random positive-definite covariance of side n: A Aᵀ/m + 0.2 I, A with i.i.d. N(0, 1) entries. */
function randomCovariance(n: number, gauss: () => number): number[][] {
  const m = n + 3;
  const A = Array.from({ length: n }, () => Array.from({ length: m }, gauss));
  return A.map((ai, i) => A.map((aj, j) => ai.reduce((s, x, k) => s + x * aj[k], 0) / m + (i === j ? 0.2 : 0)));
}

function cholesky(C: number[][]): number[][] {
  const n = C.length, L = C.map(() => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = C[i][j];
      for (let k = 0; k < j; k++) s -= L[i][k] * L[j][k];
      L[i][j] = i === j ? Math.sqrt(s) : s / L[j][j];
    }
  }
  return L;
}

interface Case {
  readonly name: string;
  readonly activation: string;
  readonly readout: 'mean' | 'sum';
  readonly noise: number;
  readonly weightDecay: number;
  readonly train: boolean;
}

/**
 * The defining expectations, one per state component, as functions of one sample:
 * dQ_kl = −η (v_k e σ'(λ_k) λ_l + v_l e σ'(λ_l) λ_k) + η² v_k v_l e² σ'(λ_k) σ'(λ_l) − 2ηλ_wd Q_kl,
 * dM_kj = −η v_k e σ'(λ_k) ν_j − ηλ_wd M_kj, dv_k = −η_v e σ(λ_k), e = Σ v σ(λ) − Σ v* σ(ν) − √Δ ζ.
 * Returns the Monte-Carlo mean and standard error of each, and separately the η² part of dQ.
 */
function monteCarloRhs(c: Case, p: number, pStar: number, C: number[][], v: number[], vStar: number[], eta: number, etaV: number, seed: number) {
  const { g, dg } = ACTS[c.activation];
  const L = cholesky(C);
  const gauss = normals(seed);
  const n = p + pStar, nQ = p * p, nM = p * pStar, size = nQ + nM + (c.train ? p : 0);
  const sum = new Float64Array(2 * size), sum2 = new Float64Array(2 * size);
  const w = new Float64Array(n), z = new Float64Array(n), f = new Float64Array(2 * size);
  const gl = new Float64Array(p), dgl = new Float64Array(p);
  for (let s = 0; s < SAMPLES; s++) {
    for (let i = 0; i < n; i++) w[i] = gauss();
    for (let i = 0; i < n; i++) { let t = 0; for (let k = 0; k <= i; k++) t += L[i][k] * w[k]; z[i] = t; }
    const zeta = gauss();
    let e = -Math.sqrt(c.noise) * zeta;
    for (let k = 0; k < p; k++) { gl[k] = g(z[k]); dgl[k] = dg(z[k]); e += v[k] * gl[k]; }
    for (let j = 0; j < pStar; j++) e -= vStar[j] * g(z[p + j]);
    for (let k = 0; k < p; k++) {
      for (let l = 0; l < p; l++) {
        const second = eta * eta * v[k] * v[l] * e * e * dgl[k] * dgl[l];
        f[k * p + l] = -eta * (v[k] * e * dgl[k] * z[l] + v[l] * e * dgl[l] * z[k]) + second;
        f[size + k * p + l] = second;
      }
      for (let j = 0; j < pStar; j++) { f[nQ + k * pStar + j] = -eta * v[k] * e * dgl[k] * z[p + j]; f[size + nQ + k * pStar + j] = 0; }
      if (c.train) { f[nQ + nM + k] = -etaV * e * gl[k]; f[size + nQ + nM + k] = 0; }
    }
    for (let i = 0; i < 2 * size; i++) { sum[i] += f[i]; sum2[i] += f[i] * f[i]; }
  }
  const mean = Array.from(sum, (x) => x / SAMPLES);
  const se = Array.from(sum2, (x, i) => Math.sqrt(Math.max(x / SAMPLES - mean[i] ** 2, 0) / SAMPLES));
  // The deterministic weight-decay terms.
  for (let k = 0; k < p; k++) {
    for (let l = 0; l < p; l++) mean[k * p + l] -= 2 * eta * c.weightDecay * C[k][l];
    for (let j = 0; j < pStar; j++) mean[nQ + k * pStar + j] -= eta * c.weightDecay * C[k][p + j];
  }
  return { mean: mean.slice(0, size), se: se.slice(0, size), etaSquaredPart: mean.slice(size), size };
}

const CASES: Case[] = Object.keys(ACTS).flatMap((activation) => [
  { name: `${activation}, mean readout, label noise`, activation, readout: 'mean' as const, noise: 2, weightDecay: 0, train: false },
  { name: `${activation}, sum readout, weight decay`, activation, readout: 'sum' as const, noise: 0, weightDecay: 0.05, train: false },
  { name: `${activation}, trained second layer, label noise, weight decay`, activation, readout: 'sum' as const, noise: 2, weightDecay: 0.05, train: true },
]);

test(`the ODE right-hand side equals Monte-Carlo estimates of its defining expectations within ${K_SIGMA} standard errors (${SAMPLES} samples per case; every activation, both readouts, noise, weight decay, trained v), and a 10 % change of the η² term is detected`, (t) => {
  const p = 3, pStar = 2, etaV = 0.7;
  CASES.forEach((c, ci) => {
    // The mean readout carries v = 1/p in every step: η = p there gives steps of the same size.
    const eta = c.readout === 'mean' ? 2 * p : 2;
    const gauss = normals(1000 + ci);
    // The square activation's e² σ'σ' has heavy moments (order 6 in z): a smaller covariance keeps
    // the label-noise part Δ E[σ'σ'] resolvable at this sample size.
    const C = randomCovariance(p + pStar, gauss).map((row) => row.map((x) => (c.activation === 'square' ? 0.3 * x : x)));
    const v = c.train ? Array.from({ length: p }, () => 0.5 + gauss() * 0.3) : new Array(p).fill(c.readout === 'mean' ? 1 / p : 1);
    const vStar = c.train ? Array.from({ length: pStar }, () => 0.8 + gauss() * 0.3) : new Array(pStar).fill(c.readout === 'mean' ? 1 / pStar : 1);
    const block = (r0: number, c0: number, rows: number, cols: number) => Array.from({ length: rows }, (_, i) => C[r0 + i].slice(c0, c0 + cols));
    const config = parseConfig({
      activation: c.activation, readout: c.readout, p, pStar, eta, noise: c.noise, weightDecay: c.weightDecay,
      ...(c.train ? { trainSecondLayer: true, secondLayerRate: etaV, studentReadout: v, teacherReadout: vStar } : {}),
      init: { Q: block(0, 0, p, p), M: block(0, p, p, pStar), P: block(p, p, pStar, pStar) },
    });
    const P = Float64Array.from(block(p, p, pStar, pStar).flat());
    // State layout: Q (p×p, row-major), M (p×p*), then v (p) when the second layer is trained.
    const state = Float64Array.from([...block(0, 0, p, p).flat(), ...block(0, p, p, pStar).flat(), ...(c.train ? v : [])]);
    const rhsAt = (e: number, noise = c.noise) => {
      const dy = new Float64Array(state.length);
      overlapRhs(makeProblem({ ...config, eta: e, noise }), P)(state, dy);
      return dy;
    };
    const dy = rhsAt(eta);
    const mc = monteCarloRhs(c, p, pStar, C, v, vStar, eta, etaV, 7 + ci);
    assert.equal(dy.length, mc.size, c.name);
    let worst = 0, worstAt = -1;
    for (let i = 0; i < mc.size; i++) {
      const zScore = Math.abs(dy[i] - mc.mean[i]) / mc.se[i];
      if (!(zScore <= worst)) { worst = zScore; worstAt = i; }
    }
    assert.ok(worst <= K_SIGMA, `${c.name}: component ${worstAt} is ${worst.toFixed(1)} standard errors off (ODE ${dy[worstAt]}, Monte-Carlo ${mc.mean[worstAt]} ± ${mc.se[worstAt]})`);
    // Decisiveness: the η² part, η²B = (f(2η) − 2f(η))/2, agrees with its own estimate, and scaling
    // it by 1.1 moves some component by more than K_SIGMA standard errors; so does scaling the
    // label-noise part f(Δ) − f(0) by 1.1.
    const dy2 = rhsAt(2 * eta);
    const parts: [string, Float64Array][] = [['η²', dy2.map((x, i) => (i < p * p ? (x - 2 * dy[i]) / 2 : 0))]];
    for (let i = 0; i < p * p; i++) {
      assert.ok(Math.abs(parts[0][1][i] - mc.etaSquaredPart[i]) <= K_SIGMA * mc.se[i] + 1e-12, `${c.name}: η² part of component ${i}: ${parts[0][1][i]} vs ${mc.etaSquaredPart[i]}`);
    }
    if (c.noise > 0) parts.push(['label-noise', rhsAt(eta, 0).map((x, i) => dy[i] - x)]);
    for (const [what, part] of parts) {
      let detected = 0;
      for (let i = 0; i < mc.size; i++) detected = Math.max(detected, Math.abs(dy[i] + 0.1 * part[i] - mc.mean[i]) / mc.se[i]);
      t.diagnostic(`${c.name}: worst ${worst.toFixed(2)} standard errors; 10 % change of the ${what} term: ${detected.toFixed(1)}`);
      assert.ok(detected > K_SIGMA, `${c.name}: a 10 % change of the ${what} term is only ${detected.toFixed(1)} standard errors`);
    }
  });
});

test('Saad–Solla plateau (erf, K = M = 2, 3, sum readout, T = I): ε = K/6 − (K²/π) arcsin(1/(2K)), equal to the library loss (1e-15) and to Monte-Carlo ½E[e²] within 4.5 standard errors', () => {
  for (const K of [2, 3]) {
    const q = 1 / (2 * K - 1), r = 1 / Math.sqrt(K * (2 * K - 1));
    const level = K / 6 - (K * K / Math.PI) * Math.asin(1 / (2 * K));
    const Q = Array.from({ length: K }, () => new Array(K).fill(q));
    const M = Array.from({ length: K }, () => new Array(K).fill(r));
    const T = Array.from({ length: K }, (_, i) => Array.from({ length: K }, (_, j) => (i === j ? 1 : 0)));
    const config = parseConfig({ activation: 'erf', readout: 'sum', p: K, pStar: K, init: { Q, M, P: T } });
    const problem = makeProblem(config);
    const library = committeePopulationLoss(initialCondition(config).overlaps, problem.network, 0);
    assert.ok(Math.abs(library - level) < 1e-15, `K = ${K}: library ${library}, closed form ${level}`);
    // ½E[e²] over z ~ N(0, [[Q, R], [Rᵀ, T]]): Q = C means all students are one vector,
    // w = r Σ_n B_n (then Q = K r² = 1/(2K−1) and R = r), so λ_k = r Σ_j ν_j for every k.
    const gauss = normals(99 + K);
    const g = ACTS.erf.g;
    let s = 0, s2 = 0;
    const nu = new Float64Array(K);
    for (let n = 0; n < SAMPLES; n++) {
      let lambda = 0;
      for (let j = 0; j < K; j++) { nu[j] = gauss(); lambda += r * nu[j]; }
      let e = K * g(lambda);
      for (let j = 0; j < K; j++) e -= g(nu[j]);
      const x = 0.5 * e * e;
      s += x; s2 += x * x;
    }
    const mean = s / SAMPLES, se = Math.sqrt((s2 / SAMPLES - mean * mean) / SAMPLES);
    assert.ok(Math.abs(mean - level) < K_SIGMA * se, `K = ${K}: Monte-Carlo ${mean} ± ${se}, closed form ${level}`);
  }
});

test('nn2pp\'s published setup (erf, K = M = 2, sum readout, η = 0.5, Q = I, R = 0, T = I): ε(α = 300) = 0.014678 within 1e-6', () => {
  // The published value has 5 significant digits (±5e-7); nn2pp's own Euler integration
  // (dt = 0.01) gives 0.0146779. ε changes by ~6e-7 per unit α there, so 1e-6 is decisive.
  const config = parseConfig({
    activation: 'erf', readout: 'sum', p: 2, pStar: 2, eta: 0.5, alphaMax: 300, saveAt: [0, 300],
    init: { Q: [[1, 0], [0, 1]], M: [[0, 0], [0, 0]], P: [[1, 0], [0, 1]] },
  });
  const t = solveOde(makeProblem(config), initialCondition(config).overlaps);
  assert.equal(t.status, 'completed', t.message);
  assert.ok(Math.abs(t.loss[0] - 2 / 3) < 1e-15, `ε(0) = ${t.loss[0]}; Q = T = I, R = 0: ½ · 2K · (2/π) arcsin(1/2) = 2/3`);
  assert.ok(Math.abs(t.loss[1] - 0.014678) < 1e-6, `ε(300) = ${t.loss[1]}, nn2pp 0.014678`);
});
