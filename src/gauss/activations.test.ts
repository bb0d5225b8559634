import { test } from 'node:test';
import assert from 'node:assert/strict';
import { activations, activationByName, customActivation } from './activations.js';
import { ConfigError } from '../model/errors.js';
import { erf } from './erf.js';
import { hermiteRule, gaussianExpectation, quadratureExpectations } from './quadrature.js';
import type { Activation } from './expectations.js';
import { Rng } from '../random/rng.js';
import { gaussianSampler, monteCarlo, randomCovariance } from '../testing/stats.js';

const sub = (C: Float64Array, n: number, idx: number[]) => {
  const k = idx.length, out = new Float64Array(k * k);
  for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) out[a * k + b] = C[idx[a] * n + idx[b]];
  return out;
};

test('erf matches reference values to 3e-16', () => {
  const ref: [number, number][] = [[0.1, 0.1124629160182849], [0.5, 0.5204998778130465], [1, 0.8427007929497149], [2, 0.9953222650189527], [2.6, 0.9997639655834707], [3, 0.9999779095030014], [4.5, 0.9999999998033839]];
  for (const [x, v] of ref) {
    assert.ok(Math.abs(erf(x) - v) < 3e-16, `erf(${x}) = ${erf(x)}`);
    assert.equal(erf(-x), -erf(x));
  }
});

test('Gauss–Hermite rules integrate polynomials exactly: E[g²] = 1, E[g⁴] = 3, E[g⁶] = 15 with 4 nodes', () => {
  const r = hermiteRule(4);
  const m = (k: number) => r.nodes.reduce((s, x, i) => s + r.weights[i] * x ** k, 0);
  assert.ok(Math.abs(m(0) - 1) < 1e-14 && Math.abs(m(2) - 1) < 1e-13 && Math.abs(m(4) - 3) < 1e-12 && Math.abs(m(6) - 15) < 1e-11);
});

test('quadrature reproduces the square activation\'s closed forms (polynomials: exact) to 1e-10', () => {
  const rng = new Rng(31);
  const C = randomCovariance(4, rng);
  const q = quadratureExpectations((z) => z * z, (z) => 2 * z, 6);
  const e = activations.square.expectations;
  assert.ok(Math.abs(q.I2(sub(C, 4, [0, 1])) - e.I2(sub(C, 4, [0, 1]))) < 1e-10);
  assert.ok(Math.abs(q.I3(sub(C, 4, [0, 1, 2])) - e.I3(sub(C, 4, [0, 1, 2]))) < 1e-10);
  assert.ok(Math.abs(q.I4(C) - e.I4(C)) < 1e-9);
});

/** Each closed form against Monte-Carlo (4σ) and against 32-node quadrature (stated tolerance). */
function checkActivation(act: Activation, seed: number, quadTol: { I2: number; J2: number; I3: number; I4: number }) {
  const rng = new Rng(seed);
  const C = randomCovariance(4, rng);
  const { sigma: s, dsigma: ds } = act;
  const mc = monteCarlo(300_000, gaussianSampler(C, 4, rng), 4, [
    (z) => s(z[0]) * s(z[1]),
    (z) => ds(z[0]) * ds(z[1]),
    (z) => ds(z[0]) * z[1] * s(z[2]),
    (z) => ds(z[0]) * ds(z[1]) * s(z[2]) * s(z[3]),
  ]);
  const e = act.expectations;
  const exact = [e.I2(sub(C, 4, [0, 1])), e.J2(sub(C, 4, [0, 1])), e.I3(sub(C, 4, [0, 1, 2])), e.I4(C)];
  const names = ['I2', 'J2', 'I3', 'I4'] as const;
  exact.forEach((v, k) => {
    if (mc[k].se === 0) { assert.ok(Math.abs(mc[k].mean - v) < 1e-12, `${act.name} ${names[k]}`); return; }
    const z = Math.abs(mc[k].mean - v) / mc[k].se;
    assert.ok(z < 4, `${act.name} ${names[k]}: closed form ${v}, Monte-Carlo ${mc[k].mean} ± ${mc[k].se} (${z.toFixed(1)}σ)`);
  });
  const rule = hermiteRule(32);
  const quad = [
    gaussianExpectation((z) => s(z[0]) * s(z[1]), sub(C, 4, [0, 1]), 2, rule),
    gaussianExpectation((z) => ds(z[0]) * ds(z[1]), sub(C, 4, [0, 1]), 2, rule),
    gaussianExpectation((z) => ds(z[0]) * z[1] * s(z[2]), sub(C, 4, [0, 1, 2]), 3, rule),
    gaussianExpectation((z) => ds(z[0]) * ds(z[1]) * s(z[2]) * s(z[3]), C, 4, hermiteRule(28)),
  ];
  quad.forEach((v, k) => assert.ok(Math.abs(v - exact[k]) < quadTol[names[k]], `${act.name} ${names[k]}: closed ${exact[k]}, quadrature ${v}`));
}

test('erf (Saad–Solla) expectations agree with Monte-Carlo (4σ) and with Gauss–Hermite quadrature (1e-10; I4 at 28⁴ nodes 1e-7)', () => {
  checkActivation(activations.erf, 41, { I2: 1e-10, J2: 1e-10, I3: 1e-10, I4: 1e-7 });
});

test('ReLU expectations agree with Monte-Carlo (4σ); quadrature converges slowly on the kinks (errors up to 3e-2 at 32 nodes)', () => {
  checkActivation(activations.relu, 42, { I2: 1e-3, J2: 3.5e-2, I3: 2e-2, I4: 2e-3 });
});

test('4-variable orthant probabilities: 1/16 for independent, 1/5 for all correlations ½, and Monte-Carlo (4σ) for a random covariance', async () => {
  const { orthant4 } = await import('./orthant.js');
  const eq = (r: number) => Float64Array.from({ length: 16 }, (_, m) => (m % 5 === 0 ? 1 : r));
  assert.ok(Math.abs(orthant4(eq(0)) - 1 / 16) < 1e-15);
  assert.ok(Math.abs(orthant4(eq(0.5)) - 1 / 5) < 1e-12);
  const rng = new Rng(45);
  const C = randomCovariance(4, rng);
  const [mc] = monteCarlo(400_000, gaussianSampler(C, 4, rng), 4, [(z) => (z[0] > 0 && z[1] > 0 && z[2] > 0 && z[3] > 0 ? 1 : 0)]);
  assert.ok(Math.abs(mc.mean - orthant4(C)) < 4 * mc.se, `orthant ${orthant4(C)}, Monte-Carlo ${mc.mean} ± ${mc.se}`);
});

test('linear expectations are covariances, and agree with Monte-Carlo', () => {
  checkActivation(activations.linear, 43, { I2: 1e-10, J2: 1e-10, I3: 1e-10, I4: 1e-9 });
});

test('a custom activation (tanh) gets quadrature expectations that agree with Monte-Carlo', () => {
  const tanh = customActivation('tanh', Math.tanh, (z) => 1 - Math.tanh(z) ** 2);
  checkActivation(tanh, 44, { I2: 1e-6, J2: 1e-6, I3: 1e-5, I4: 1e-5 });
});

test('Saad–Solla: erf, K = M = 2, sum readout, Q = T = I, R = 0 gives ε = 2/3', () => {
  // ε = ½ [Σ_ik I2(Q) + Σ_nm I2(T) − 2 Σ_in I2(R)]; diagonal I2 = (2/π) arcsin(1/2) = 1/3.
  const e = activations.erf.expectations;
  const diag = e.I2(Float64Array.of(1, 1, 1, 1)), off = e.I2(Float64Array.of(1, 0, 0, 1));
  assert.ok(Math.abs(diag - 1 / 3) < 1e-15 && off === 0);
  assert.ok(Math.abs(0.5 * (2 * diag + 2 * diag) - 2 / 3) < 1e-15);
});

test('ReLU I4 on the singular covariances the ODE produces (repeated units) agrees with Monte-Carlo (4σ)', () => {
  const rng = new Rng(46);
  const C3 = randomCovariance(3, rng);
  const I4 = activations.relu.expectations.I4;
  const cases: [number[], (z: Float64Array) => number][] = [
    [[0, 0, 1, 2], (z) => (z[0] > 0 ? 1 : 0) * Math.max(z[1], 0) * Math.max(z[2], 0)], // k = l
    [[0, 1, 2, 2], (z) => (z[0] > 0 ? 1 : 0) * (z[1] > 0 ? 1 : 0) * Math.max(z[2], 0) ** 2], // u = w
    [[0, 1, 0, 2], (z) => (z[1] > 0 ? 1 : 0) * Math.max(z[0], 0) * Math.max(z[2], 0)], // u = k
    [[0, 0, 0, 0], (z) => Math.max(z[0], 0) ** 2], // all the same unit
  ];
  for (const [idx, f] of cases) {
    const C = Float64Array.from({ length: 16 }, (_, m) => C3[idx[Math.floor(m / 4)] * 3 + idx[m % 4]]);
    const [mc] = monteCarlo(300_000, gaussianSampler(C3, 3, rng), 3, [f]);
    const v = I4(C);
    assert.ok(Math.abs(v - mc.mean) < 4 * mc.se, `indices ${idx}: ${v} vs Monte-Carlo ${mc.mean} ± ${mc.se}`);
  }
});

test('ReLU I4 near a repeated unit (correlation 1 − ε) matches independent references and tends to the repeated-unit value', () => {
  // (a, b, c, d) with Var a = Var b = 0.7, Cov(a, b) = 0.7(1 − ε): E[H(a)H(b) c⁺ d⁺]. References from
  // an independent scipy computation (condition on (c, d), bivariate orthant by Drezner's 1-D
  // integral, adaptive quadrature to 1e-12); the old Gauss–Legendre path in t was 3·10⁻⁴ off at ε = 10⁻⁶.
  const cov = (eps: number) => {
    const q = 0.7, c = q * (1 - eps);
    return Float64Array.of(q, c, 0.3, 0.2, c, q, 0.3, 0.2, 0.3, 0.3, 1, 0.1, 0.2, 0.2, 0.1, 1);
  };
  const I4 = activations.relu.expectations.I4;
  for (const [eps, reference] of [[1e-3, 0.14172696660575462], [1e-6, 0.1427460991621359], [0, 0.14277937793368714]] as const) {
    assert.ok(Math.abs(I4(cov(eps)) / reference - 1) < 1e-8, `ε = ${eps}: ${I4(cov(eps))} vs ${reference}`);
  }
  // continuity into the merged (singular) branch, which takes another code path
  assert.ok(Math.abs(I4(cov(1e-14)) / I4(cov(0)) - 1) < 1e-7, `${I4(cov(1e-14))} vs ${I4(cov(0))}`);
});

test('an unknown activation name is a ConfigError naming the field and the known names', () => {
  assert.equal(activationByName('erf'), activations.erf);
  assert.throws(() => activationByName('tanh'), (e: unknown) => e instanceof ConfigError && e.field === 'activation'
    && /^activation: unknown activation "tanh" \(known: .*square.*\)$/.test(e.message));
});

test('ReLU I4 written out for four distinct variables equals the integration-by-parts recursion (1e-14 of its terms), and the 4-orthant is the same for every order of the variables', async () => {
  const { reluI4, expectProduct, orthant4 } = await import('./orthant.js');
  const rng = new Rng(11, 'general');
  for (let trial = 0; trial < 40; trial++) {
    const C = randomCovariance(4, rng);
    const fast = reluI4(C), slow = expectProduct(Float64Array.from(C), 4, ['H', 'H', 'R', 'R']);
    const scale = Math.sqrt(C[10] * C[15]); // the size of E[H H c⁺ d⁺]'s terms
    assert.ok(Math.abs(fast - slow) <= 1e-14 * scale, `trial ${trial}: ${fast} vs ${slow}`);
    const perm = [2, 0, 3, 1];
    const P = Float64Array.from({ length: 16 }, (_, m) => C[perm[Math.floor(m / 4)] * 4 + perm[m % 4]]);
    assert.equal(orthant4(P), orthant4(C));
  }
});
