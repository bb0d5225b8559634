/**
 * σ(z) = erf(z/√2), the Saad–Solla activation (σ' (z) = √(2/π) e^{−z²/2}). Every expectation
 * the ODEs need is closed form (Saad & Solla 1995; Biehl & Schwarze 1995), written here in
 * terms of the covariance C of the variables in argument order. Tested against Monte-Carlo
 * and Gauss–Hermite quadrature in activations.test.ts.
 */
import type { Activation, ExactExpectations, GaussianExpectations } from './expectations.js';
import { add, addD, asin, dd, div, mul, mulD, PI, sqrt, sub } from './dd.js';

/**
 * erf to a few ulps: for |x| < 2.5 the series erf x = (2/√π) e^{−x²} Σ 2ⁿ x^{2n+1}/(2n+1)!!, whose
 * terms are all positive (no cancellation); beyond, 1 − erfc x with erfc from its continued
 * fraction (modified Lentz), which converges fast there.
 */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2.5) {
    const x2 = x * x;
    let term = x, sum = x;
    for (let n = 0; n < 200; n++) {
      term *= (2 * x2) / (2 * n + 3);
      sum += term;
      if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * Math.exp(-x2) * sum;
  }
  if (ax > 6) return Math.sign(x);
  const r = 1 - erfcContinuedFraction(ax);
  return x < 0 ? -r : r;
}

/** erfc x = e^{−x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))) for x ≥ 2.5 (Lentz's method). */
function erfcContinuedFraction(x: number): number {
  const tiny = 1e-300;
  let f = x, c = x, d = 0;
  for (let n = 1; n < 300; n++) {
    const a = n / 2;
    d = x + a * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = x + a / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / (Math.sqrt(Math.PI) * f);
}

export const erfExpectations: GaussianExpectations = {
  // E[g(a) g(b)] = (2/π) arcsin(C_ab / √((1 + C_aa)(1 + C_bb)))
  I2: (C) => (2 / Math.PI) * Math.asin(C[1] / Math.sqrt((1 + C[0]) * (1 + C[3]))),
  // E[g'(a) g'(b)] = (2/π) / √((1 + C_aa)(1 + C_bb) − C_ab²)
  J2: (C) => 2 / (Math.PI * Math.sqrt((1 + C[0]) * (1 + C[3]) - C[1] * C[1])),
  // E[g'(a) b g(c)] = (2/π) (C_bc (1 + C_aa) − C_ab C_ac) / ((1 + C_aa) √Λ₃), Λ₃ = (1 + C_aa)(1 + C_cc) − C_ac²
  I3: (C) => {
    const c11 = C[0], c12 = C[1], c13 = C[2], c23 = C[5], c33 = C[8];
    const l3 = (1 + c11) * (1 + c33) - c13 * c13;
    return ((2 / Math.PI) * (c23 * (1 + c11) - c12 * c13)) / ((1 + c11) * Math.sqrt(l3));
  },
  // E[g'(a) g'(b) g(c) g(d)] = (4/π²) Λ₄^{−1/2} arcsin(Λ₀ / √(Λ₁Λ₂))
  I4: (C) => {
    const c11 = C[0], c12 = C[1], c13 = C[2], c14 = C[3], c22 = C[5], c23 = C[6], c24 = C[7], c33 = C[10], c34 = C[11], c44 = C[15];
    const l4 = (1 + c11) * (1 + c22) - c12 * c12;
    const l0 = l4 * c34 - c23 * c24 * (1 + c11) - c13 * c14 * (1 + c22) + c12 * c13 * c24 + c12 * c14 * c23;
    const l1 = l4 * (1 + c33) - c23 * c23 * (1 + c11) - c13 * c13 * (1 + c22) + 2 * c12 * c13 * c23;
    const l2 = l4 * (1 + c44) - c24 * c24 * (1 + c11) - c14 * c14 * (1 + c22) + 2 * c12 * c14 * c24;
    return (4 / (Math.PI * Math.PI * Math.sqrt(l4))) * Math.asin(l0 / Math.sqrt(l1 * l2));
  },
};

const TWO_OVER_PI = div(dd(2), PI);
const FOUR_OVER_PI2 = div(dd(4), mul(PI, PI));

/** The closed forms above in double-double arithmetic (same formulas, term by term). */
export const erfExactExpectations: ExactExpectations = {
  I2: (C) => mul(TWO_OVER_PI, asin(div(C[1], sqrt(mul(addD(C[0], 1), addD(C[3], 1)))))),
  J2: (C) => div(TWO_OVER_PI, sqrt(sub(mul(addD(C[0], 1), addD(C[3], 1)), mul(C[1], C[1])))),
  I3: (C) => {
    const a1 = addD(C[0], 1), c12 = C[1], c13 = C[2], c23 = C[5];
    const l3 = sub(mul(a1, addD(C[8], 1)), mul(c13, c13));
    return div(mul(TWO_OVER_PI, sub(mul(c23, a1), mul(c12, c13))), mul(a1, sqrt(l3)));
  },
  I4: (C) => {
    const a1 = addD(C[0], 1), a2 = addD(C[5], 1), c12 = C[1], c13 = C[2], c14 = C[3], c23 = C[6], c24 = C[7], c34 = C[11];
    const l4 = sub(mul(a1, a2), mul(c12, c12));
    const m1213 = mul(c12, c13);
    const l0 = add(sub(sub(mul(l4, c34), mul(mul(c23, c24), a1)), mul(mul(c13, c14), a2)), add(mul(m1213, c24), mul(mul(c12, c14), c23)));
    const l1 = add(sub(sub(mul(l4, addD(C[10], 1)), mul(mul(c23, c23), a1)), mul(mul(c13, c13), a2)), mulD(mul(m1213, c23), 2));
    const l2 = add(sub(sub(mul(l4, addD(C[15], 1)), mul(mul(c24, c24), a1)), mul(mul(c14, c14), a2)), mulD(mul(mul(c12, c14), c24), 2));
    return div(mul(FOUR_OVER_PI2, asin(div(l0, sqrt(mul(l1, l2))))), sqrt(l4));
  },
};

const SQRT2 = Math.SQRT2;
const SQRT_2_PI = Math.sqrt(2 / Math.PI);

export const erfActivation: Activation = {
  name: 'erf',
  sigma: (z) => erf(z / SQRT2),
  dsigma: (z) => SQRT_2_PI * Math.exp(-0.5 * z * z),
  expectations: erfExpectations,
  exact: erfExactExpectations,
};
