/**
 * σ(z) = z², the activation of the quadratic network (phase retrieval for p = p* = 1).
 * All expectations are Gaussian moments of order ≤ 6, so they are exact polynomials in the
 * covariance (Isserlis); written out here for speed, tested against `gaussianMoment` and
 * Monte-Carlo in square.test.ts.
 */
import type { Activation, ExactExpectations, GaussianExpectations } from './expectations.js';
import { gaussianMoment } from './isserlis.js';
import { add, mul, mulD, ZERO, type DD } from './dd.js';

/** Isserlis' sum over pairings (isserlis.ts) in double-double, for the exact forms below. */
function momentDD(idx: readonly number[], C: readonly DD[], n: number): DD {
  if (idx.length === 0) return { h: 1, l: 0 };
  let sum = ZERO;
  for (let k = 1; k < idx.length; k++) {
    const c = C[idx[0] * n + idx[k]];
    if (c.h === 0 && c.l === 0) continue;
    sum = add(sum, mul(c, momentDD(idx.slice(1, k).concat(idx.slice(k + 1)), C, n)));
  }
  return sum;
}

export const squareExpectations: GaussianExpectations = {
  // E[a² b²] = C_aa C_bb + 2 C_ab².
  I2: (C) => C[0] * C[3] + 2 * C[1] * C[1],
  // E[2a · 2b] = 4 C_ab.
  J2: (C) => 4 * C[1],
  // E[2a · b · c²] = 2 (C_ab C_cc + 2 C_ac C_bc).
  I3: (C) => 2 * (C[1] * C[8] + 2 * C[2] * C[5]),
  // E[2a · 2b · c² d²] = 4 E[a b c c d d]: a sixth moment, 15 Wick pairings.
  I4: (C) => 4 * gaussianMoment([0, 1, 2, 2, 3, 3], C, 4),
};

export const squareExactExpectations: ExactExpectations = {
  I2: (C) => add(mul(C[0], C[3]), mulD(mul(C[1], C[1]), 2)),
  J2: (C) => mulD(C[1], 4),
  I3: (C) => mulD(add(mul(C[1], C[8]), mulD(mul(C[2], C[5]), 2)), 2),
  I4: (C) => mulD(momentDD([0, 1, 2, 2, 3, 3], C, 4), 4),
};

export const square: Activation = {
  name: 'square',
  sigma: (z) => z * z,
  dsigma: (z) => 2 * z,
  expectations: squareExpectations,
  exact: squareExactExpectations,
};
