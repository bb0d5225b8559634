import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeLossCurve, type TailFit } from './plateau.js';

/** The rate of an exponential tail fit (the default law); fails on a power-law fit. */
function rate(f: TailFit | null): number {
  assert.ok(f && f.law === 'exponential', JSON.stringify(f));
  return f.rate;
}

// A constructed curve: initial loss 1 relaxing to a plateau at 0.5, a sigmoid escape centred at
// α = 30, then e^{−0.5α} decay: ε = (0.5 + 0.5 e^{−α}) · 2/(1 + e^{0.5(α − 30)}) ... /2 scaled.
const grid = (n: number, lo: number, hi: number) => Float64Array.from({ length: n }, (_, i) => lo * (hi / lo) ** (i / (n - 1)));
const alpha = Float64Array.from([0, ...grid(400, 0.01, 100)]);
const loss = alpha.map((a) => (0.5 + 0.5 * Math.exp(-a)) / (1 + Math.exp(0.5 * (a - 30))));

test('on a constructed curve: plateau at 0.5 found, escape at α = 30 ± 0.3, decay rate 0.5 ± 1 %', () => {
  const r = analyzeLossCurve(alpha, loss);
  assert.ok(r.plateau, 'a plateau is found');
  assert.ok(Math.abs(r.plateau.loss - 0.5) < 0.01, `plateau loss ${r.plateau.loss}`);
  assert.ok(r.plateau.startAlpha > 3 && r.plateau.startAlpha < 6, `starts at ${r.plateau.startAlpha}`);
  assert.ok(r.plateau.endAlpha > 15 && r.plateau.endAlpha < 30, `ends at ${r.plateau.endAlpha}`);
  // ε = 0.25 where the sigmoid is ½ and the first factor is 0.5(1 + e^{−30}): α = 30.
  assert.ok(r.escapeAlpha !== null && Math.abs(r.escapeAlpha - 30) < 0.3, `escape at ${r.escapeAlpha}`);
  assert.ok(Math.abs(rate(r.finalDecay) - 0.5) < 0.005 && r.finalDecay!.r2 > 0.9999, JSON.stringify(r.finalDecay));
  assert.ok(r.escapeDecay && r.escapeDecay.rate > 0.2 && r.escapeDecay.rate < 0.5);
});

test('the definitions are scale-free: multiplying ε by 7 or α by 3 changes nothing but the units', () => {
  const a = analyzeLossCurve(alpha, loss);
  const b = analyzeLossCurve(alpha, loss.map((e) => 7 * e));
  const c = analyzeLossCurve(alpha.map((x) => 3 * x), loss);
  assert.ok(Math.abs(b.plateau!.loss - 7 * a.plateau!.loss) < 1e-12);
  assert.ok(Math.abs(b.escapeAlpha! - a.escapeAlpha!) < 1e-12);
  assert.ok(Math.abs(c.escapeAlpha! - 3 * a.escapeAlpha!) < 1e-9);
  assert.ok(Math.abs(rate(c.finalDecay) - rate(a.finalDecay) / 3) < 1e-9);
});

test('a curve without a plateau escapes from half its initial loss; one that never drops has no escape', () => {
  const plain = analyzeLossCurve(alpha, alpha.map((a) => Math.exp(-0.2 * a)));
  assert.equal(plain.plateau, null);
  assert.ok(Math.abs(plain.escapeAlpha! - Math.log(2) / 0.2) < 0.05, `escape ${plain.escapeAlpha}`);
  assert.ok(Math.abs(rate(plain.finalDecay) - 0.2) < 1e-9);
  const stuck = analyzeLossCurve(alpha, alpha.map(() => 1));
  assert.equal(stuck.escapeAlpha, null);
  assert.equal(stuck.plateau, null);
});

test('a power-law tail is fitted on log–log axes: ε = 3α⁻² + floor gives exponent 2 and prefactor 3 (the exponential fit of it has a window-dependent rate)', () => {
  const a = Float64Array.from([0, ...grid(300, 0.1, 1000)]);
  const e = a.map((x) => 1e-3 + 1 / (1 / (1 - 1e-3) + x * x / 3));
  const r = analyzeLossCurve(a, e, { floor: 1e-3, tailLaw: 'power' });
  assert.ok(r.finalDecay && r.finalDecay.law === 'power', JSON.stringify(r.finalDecay));
  assert.ok(Math.abs(r.finalDecay.exponent - 2) < 1e-3 && Math.abs(r.finalDecay.prefactor / 3 - 1) < 1e-2, JSON.stringify(r.finalDecay));
  // The same window as an exponential: its "rate" is ≈ 2/α there, not a property of the curve.
  const asExp = analyzeLossCurve(a, e, { floor: 1e-3 });
  assert.ok(rate(asExp.finalDecay) < 2 / asExp.finalDecay!.fromAlpha);
});

test('a final noise floor is not a plateau, and the decay fit subtracts the given floor', () => {
  const withFloor = loss.map((e) => e + 1e-3);
  const r = analyzeLossCurve(alpha, withFloor, { floor: 1e-3 });
  assert.ok(Math.abs(r.plateau!.loss - 0.501) < 0.01);
  assert.ok(Math.abs(rate(r.finalDecay) - 0.5) < 0.005, JSON.stringify(r.finalDecay));
});

test('ODE started next to the symmetric saddle: plateau at 1/(p+2) + 1/p*, left as ‖M‖ grows at the linear rate 4η/(p p*)', async () => {
  const { parseConfig } = await import('../model/config.js');
  const { makeProblem, initialCondition } = await import('../model/problem.js');
  const { solveOde } = await import('../ode/solve.js');
  const p = 4, pStar = 2, eta = 0.02, q = p / (p + 2), m = 1e-7;
  const Q = Array.from({ length: p }, (_, i) => Array.from({ length: p }, (_, j) => (i === j ? q : 0)));
  const M = Array.from({ length: p }, (_, i) => [i === 0 ? m : 0, i === 1 ? -m : 0]);
  const config = parseConfig({ p, pStar, eta, alphaMax: 3000, savePoints: 2000, N: 1000, init: { Q, M, P: [[1, 0], [0, 1]] } });
  const t = solveOde(makeProblem(config), initialCondition(config).overlaps);
  const r = analyzeLossCurve(t.alpha, t.loss);
  const level = 1 / (p + 2) + 1 / pStar;
  // η² corrections shift the fixed point by O(η/p): 2 % of the level at this η.
  assert.ok(r.plateau && Math.abs(r.plateau.loss - level) < 0.02 * level, `plateau ${r.plateau?.loss}, expected ≈ ${level}`);
  // Linearised escape: at Q = p/(p+2)·I, τM + 2QM/p = 0, so dM/dα = (4η/(p p*)) M P exactly
  // (dM has no η² term); the η²-shift of Q changes the rate by O(η/p).
  const lam = (4 * eta) / (p * pStar);
  const xs: number[] = [], ys: number[] = [];
  t.alpha.forEach((a, i) => {
    const norm = Math.hypot(...t.M[i]);
    if (norm > 1e-6 && norm < 1e-3) { xs.push(a); ys.push(Math.log(norm)); }
  });
  const xm = xs.reduce((a, b) => a + b) / xs.length, ym = ys.reduce((a, b) => a + b) / ys.length;
  const rate = xs.reduce((s, x, i) => s + (x - xm) * (ys[i] - ym), 0) / xs.reduce((s, x) => s + (x - xm) ** 2, 0);
  assert.ok(xs.length > 20);
  assert.ok(Math.abs(rate / lam - 1) < 0.05, `‖M‖ growth rate ${rate}, linear theory ${lam}`);
});

test('a loss that reaches rounding level (±1e-16) is analysed up to there: the rounding noise is no plateau', () => {
  const a = Float64Array.from({ length: 200 }, (_, i) => (i + 1) / 2);
  const l = a.map((x, i) => (x < 60 ? Math.exp(-x) : (i % 2 ? 1e-16 : -1e-16)));
  const r = analyzeLossCurve(a, l);
  assert.equal(r.plateaus.length, 0);
  assert.ok(Math.abs(r.escapeAlpha! - (0.5 + Math.log(2))) < 0.05, `escape ${r.escapeAlpha}`);
});
