/**
 * Gauss–Hermite quadrature for Gaussian expectations of any functions of 2, 3 or 4 correlated
 * variables: nodes and weights of the probabilists' rule (weight e^{−x²/2}) from the Golub–Welsch
 * eigenproblem (ml-matrix), and a tensor product over whitened coordinates z = L g, C = L Lᵀ.
 * The fallback for activations without closed forms; exact for polynomials of degree < 2n in
 * each coordinate, slowly convergent for kinks (ReLU).
 */
import { symmetricEigen } from '../linalg/matrix.js';
import type { GaussianExpectations } from './expectations.js';

export interface HermiteRule {
  readonly nodes: Float64Array;
  /** Weights summing to one: E[f(g)] ≈ Σ w_i f(x_i) for g ~ N(0, 1). */
  readonly weights: Float64Array;
}

/** n-point rule for N(0, 1): eigenvalues of the Jacobi matrix with off-diagonal √k (Golub–Welsch). */
export function hermiteRule(n: number): HermiteRule {
  const J = new Float64Array(n * n);
  for (let k = 1; k < n; k++) { J[(k - 1) * n + k] = Math.sqrt(k); J[k * n + k - 1] = Math.sqrt(k); }
  const { values, vectors } = symmetricEigen(J, n);
  const weights = Float64Array.from({ length: n }, (_, i) => vectors[i] * vectors[i]); // first component squared
  const total = weights.reduce((a, b) => a + b, 0);
  return { nodes: values, weights: weights.map((w) => w / total) };
}

/** A square root L with L Lᵀ = C, L = V √Λ from C's eigen-decomposition (not triangular; semidefinite C is fine), row-major. */
function squareRoot(C: ArrayLike<number>, d: number): Float64Array {
  const { values, vectors } = symmetricEigen(C, d);
  const L = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let a = 0; a < d; a++) L[i * d + a] = vectors[i * d + a] * Math.sqrt(Math.max(values[a], 0));
  return L;
}

/** E[f(z)] for z ~ N(0, C), C of side d ≤ 4, by the tensor-product rule. */
export function gaussianExpectation(f: (z: Float64Array) => number, C: ArrayLike<number>, d: number, rule: HermiteRule): number {
  const L = squareRoot(C, d);
  const n = rule.nodes.length;
  const z = new Float64Array(d);
  const idx = new Int32Array(d);
  let total = 0;
  let count = 1;
  for (let k = 0; k < d; k++) count *= n;
  for (let m = 0; m < count; m++) {
    let r = m, w = 1;
    for (let a = 0; a < d; a++) { idx[a] = r % n; r = (r - idx[a]) / n; w *= rule.weights[idx[a]]; }
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let a = 0; a < d; a++) s += L[i * d + a] * rule.nodes[idx[a]];
      z[i] = s;
    }
    total += w * f(z);
  }
  return total;
}

/** The four expectations of the ODEs for any activation σ (with derivative σ'), by quadrature. */
export function quadratureExpectations(
  sigma: (z: number) => number,
  dsigma: (z: number) => number,
  points = 40,
  points4 = 24,
): GaussianExpectations {
  const rule = hermiteRule(points);
  const rule4 = hermiteRule(points4);
  return {
    I2: (C) => gaussianExpectation((z) => sigma(z[0]) * sigma(z[1]), C, 2, rule),
    J2: (C) => gaussianExpectation((z) => dsigma(z[0]) * dsigma(z[1]), C, 2, rule),
    I3: (C) => gaussianExpectation((z) => dsigma(z[0]) * z[1] * sigma(z[2]), C, 3, rule),
    I4: (C) => gaussianExpectation((z) => dsigma(z[0]) * dsigma(z[1]) * sigma(z[2]) * sigma(z[3]), C, 4, rule4),
  };
}
