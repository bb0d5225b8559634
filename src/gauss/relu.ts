/**
 * σ(z) = max(0, z), σ'(z) = H(z). Closed forms (derived here) for the two- and three-variable
 * expectations; the four-variable one (only in the O(η²) SGD-noise term) reduced by integration
 * by parts to orthant probabilities (orthant.ts), with one smooth 1-D integral for the 4-variable
 * orthant, after merging identical variables (the ODE's E[H(λ_k)² …] has a singular covariance). (Plain Gauss–Hermite quadrature converges badly on the kinks: 5 % off at 32 nodes.)
 *
 *  I2 = E[relu(a) relu(b)] = √(C_aa C_bb)/(2π) · (sin θ + (π − θ) cos θ),  cos θ = ρ_ab   (arc-cosine kernel)
 *  J2 = E[H(a) H(b)] = 1/4 + arcsin(ρ_ab)/(2π)                                          (orthant probability)
 *  I3 = E[H(a) b relu(c)] = C_ab E[δ(a) relu(c)] + C_bc E[H(a) H(c)]                     (Gaussian integration by parts in b)
 *     with E[δ(a) relu(c)] = p_a(0) E[relu(c) | a = 0] = √(C_cc − C_ac²/C_aa) / (2π √C_aa).
 */
import type { Activation, GaussianExpectations } from './expectations.js';
import { reluI4 } from './orthant.js';
import { reluExactExpectations } from './reluExact.js';
import { sin, cos } from '../math/trig.js';

const relu = (z: number) => (z > 0 ? z : 0);
const heaviside = (z: number) => (z > 0 ? 1 : 0);
const clampUnit = (x: number) => Math.max(-1, Math.min(1, x));

/**
 * Each expectation is a product of H (degree 0) and linear or ReLU factors (degree 1) in its
 * variables, so with z_i = s_i u_i it equals Π s_i^{degree_i} times the same expectation for the
 * correlation matrix. Evaluating on correlations keeps the formulas away from products of tiny
 * variances that underflow (a student at σ² = 10⁻²⁰⁰ next to a teacher at 1). A variable of zero
 * variance is identically 0, where H(0) = 0 (as in the simulation) and ReLU(0) = 0.
 */
function perVariable(f: (C: ArrayLike<number>) => number, degrees: readonly number[]): (C: ArrayLike<number>) => number {
  const k = degrees.length;
  // Reused buffers (no allocation per call: the ReLU committee ODE makes ~10⁵ calls per step).
  const s = new Float64Array(k), R = new Float64Array(k * k);
  return (C) => {
    let scale = 1;
    for (let i = 0; i < k; i++) {
      s[i] = Math.sqrt(C[i * k + i]);
      if (!(s[i] > 0)) return 0;
      if (degrees[i]) scale *= s[i];
    }
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) R[i * k + j] = C[i * k + j] / (s[i] * s[j]);
    return scale * f(R);
  };
}

const reluExpectationsUnscaled: GaussianExpectations = {
  I2: (C) => {
    const s = Math.sqrt(C[0] * C[3]);
    if (s === 0) return 0;
    const theta = Math.acos(clampUnit(C[1] / s));
    return (s / (2 * Math.PI)) * (sin(theta) + (Math.PI - theta) * cos(theta));
  },
  J2: (C) => 0.25 + Math.asin(clampUnit(C[1] / Math.sqrt(C[0] * C[3]))) / (2 * Math.PI),
  I3: (C) => {
    const caa = C[0], cab = C[1], cac = C[2], cbc = C[5], ccc = C[8];
    const conditional = Math.sqrt(Math.max(ccc - (cac * cac) / caa, 0)) / (2 * Math.PI * Math.sqrt(caa));
    const orthant = 0.25 + Math.asin(clampUnit(cac / Math.sqrt(caa * ccc))) / (2 * Math.PI);
    return cab * conditional + cbc * orthant;
  },
  I4: reluI4,
};

export const reluExpectations: GaussianExpectations = {
  I2: perVariable(reluExpectationsUnscaled.I2, [1, 1]),
  J2: perVariable(reluExpectationsUnscaled.J2, [0, 0]),
  I3: perVariable(reluExpectationsUnscaled.I3, [0, 1, 1]),
  I4: perVariable(reluExpectationsUnscaled.I4, [0, 0, 1, 1]),
};

export const reluActivation: Activation = { name: 'relu', sigma: relu, dsigma: heaviside, expectations: reluExpectations, exact: reluExactExpectations };
