import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closestSolution, distanceToSolution, implicitBias } from './implicitBias.js';
import { solutionOverlaps } from './hessian.js';
import { quadraticPopulationLoss } from '../ode/quadratic.js';
import { parseConfig } from '../model/config.js';
import { makeProblem, initialCondition } from '../model/problem.js';
import { solveOde } from '../ode/solve.js';

test('symmetric case: for M₀ = c·[I; 0] the closest solution is √(p/p*)·[I; 0], at distance √(tr Q₀ − 2c√(p/p*) p* + p)', () => {
  const p = 4, pStar = 2, c = 0.01;
  const M = new Float64Array(p * pStar);
  M[0] = c; M[3] = c; // rows 0 and 1 aligned with teachers 0 and 1
  const R = closestSolution({ p, pStar, M })!;
  const f = Math.sqrt(p / pStar);
  [f, 0, 0, f, 0, 0, 0, 0].forEach((v, i) => assert.ok(Math.abs(R[i] - v) < 1e-12, `R[${i}] = ${R[i]}`));
  const Q = new Float64Array(p * p);
  for (let i = 0; i < p; i++) Q[i * p + i] = 0.001;
  const P = Float64Array.of(1, 0, 0, 1);
  const d = distanceToSolution({ p, pStar, Q, M, P }, R);
  assert.ok(Math.abs(d - Math.sqrt(0.004 - 2 * c * f * pStar + p)) < 1e-12);
  // and it is the minimum over the manifold: any other solution is farther
  const other = solutionOverlaps(Float64Array.of(0, f, f, 0, 0, 0, 0, 0), P, p, pStar);
  assert.ok(quadraticPopulationLoss(other, 0) < 1e-15);
  assert.ok(distanceToSolution({ p, pStar, Q, M, P }, Float64Array.of(0, f, f, 0, 0, 0, 0, 0)) > d);
});

test('gradient flow from a random small init ends near the solution closest to it (reached-to-closest ≪ typical)', () => {
  const config = parseConfig({ alphaMax: 150 });
  const init = initialCondition(config).overlaps;
  const t = solveOde(makeProblem(config), init, { sgdNoise: false });
  const last = t.alpha.length - 1;
  const b = implicitBias(init, { p: t.p, pStar: t.pStar, Q: t.Q[last], M: t.M[last], P: t.P })!;
  assert.ok(b.reachedToClosest < 0.02 * b.typicalBetweenSolutions, JSON.stringify(b));
  assert.ok(b.distanceToClosest < 0.2 * b.distanceToTypical, JSON.stringify(b));
  assert.equal(b.manifoldDimension, 5);
});

test('no zero-loss manifold when the student is narrower than the teacher', () => {
  const config = parseConfig({ p: 1, pStar: 2 });
  const o = initialCondition(config).overlaps;
  assert.equal(implicitBias(o, o), null);
});
