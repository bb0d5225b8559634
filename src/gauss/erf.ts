/**
 * σ(z) = erf(z/√2), the Saad–Solla activation (σ' (z) = √(2/π) e^{−z²/2}). Every expectation
 * the ODEs need is closed form (Saad & Solla 1995; Biehl & Schwarze 1995), written here in
 * terms of the covariance C of the variables in argument order. Tested against Monte-Carlo
 * and Gauss–Hermite quadrature in erf.test.ts.
 */
import type { Activation, GaussianExpectations } from './expectations.js';

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

const SQRT2 = Math.SQRT2;
const SQRT_2_PI = Math.sqrt(2 / Math.PI);

export const erfActivation: Activation = {
  name: 'erf',
  sigma: (z) => erf(z / SQRT2),
  dsigma: (z) => SQRT_2_PI * Math.exp(-0.5 * z * z),
  expectations: erfExpectations,
};
