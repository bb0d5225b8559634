/**
 * σ(z) = z², the activation of the quadratic network (phase retrieval for p = p* = 1).
 * All expectations are Gaussian moments of order ≤ 6, so they are exact polynomials in the
 * covariance (Isserlis); written out here for speed, tested against `gaussianMoment` and
 * Monte-Carlo in square.test.ts.
 */
import type { Activation, GaussianExpectations } from './expectations.js';
import { gaussianMoment } from './isserlis.js';

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

export const square: Activation = {
  name: 'square',
  sigma: (z) => z * z,
  dsigma: (z) => 2 * z,
  expectations: squareExpectations,
};
