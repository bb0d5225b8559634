/**
 * σ(z) = z², the activation of the quadratic network (phase retrieval for p = p* = 1).
 * All expectations are Gaussian moments of order ≤ 6, so they are exact polynomials in the
 * covariance (Isserlis); written out here for speed, tested against `gaussianMoment` and
 * Monte-Carlo in square.test.ts.
 */
import type { Activation, ExactExpectations, GaussianExpectations } from './expectations.js';
import { add, mul, mulD } from './dd.js';

export const squareExpectations: GaussianExpectations = {
  // E[a² b²] = C_aa C_bb + 2 C_ab².
  I2: (C) => C[0] * C[3] + 2 * C[1] * C[1],
  // E[2a · 2b] = 4 C_ab.
  J2: (C) => 4 * C[1],
  // E[2a · b · c²] = 2 (C_ab C_cc + 2 C_ac C_bc).
  I3: (C) => 2 * (C[1] * C[8] + 2 * C[2] * C[5]),
  // E[2a · 2b · c² d²] = 4 E[a b c c d d]: a sixth moment, 15 Wick pairings; a pairs with b, with
  // either c or with either d: C_ab (C_cc C_dd + 2C_cd²) + 2C_ac (C_bc C_dd + 2C_bd C_cd) + 2C_ad (C_bd C_cc + 2C_bc C_cd).
  I4: (C) => 4 * (C[1] * (C[10] * C[15] + 2 * C[11] * C[11]) + 2 * C[2] * (C[6] * C[15] + 2 * C[7] * C[11]) + 2 * C[3] * (C[7] * C[10] + 2 * C[6] * C[11])),
};

export const squareExactExpectations: ExactExpectations = {
  I2: (C) => add(mul(C[0], C[3]), mulD(mul(C[1], C[1]), 2)),
  J2: (C) => mulD(C[1], 4),
  I3: (C) => mulD(add(mul(C[1], C[8]), mulD(mul(C[2], C[5]), 2)), 2),
  I4: (C) => { // as above
    const ab = C[1], ac = C[2], ad = C[3], bc = C[6], bd = C[7], cc = C[10], cd = C[11], dd_ = C[15];
    const t1 = mul(ab, add(mul(cc, dd_), mulD(mul(cd, cd), 2)));
    const t2 = mulD(mul(ac, add(mul(bc, dd_), mulD(mul(bd, cd), 2))), 2);
    const t3 = mulD(mul(ad, add(mul(bd, cc), mulD(mul(bc, cd), 2))), 2);
    return mulD(add(add(t1, t2), t3), 4);
  },
};

export const square: Activation = {
  name: 'square',
  sigma: (z) => z * z,
  dsigma: (z) => 2 * z,
  expectations: squareExpectations,
  exact: squareExactExpectations,
};
