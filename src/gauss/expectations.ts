/**
 * The Gaussian expectations that the overlap ODEs of a committee machine need, for one
 * activation σ. Every ODE of the family (Saad–Solla, Goldt et al., the quadratic network) is a
 * sum of these over the hidden units, so adding an activation means adding these functions.
 *
 * Each takes the covariance of the few pre-activations involved, row-major, in the order of
 * the arguments: for I3(a, b, c) a 3×3 matrix of Cov(a, b, c). The names I2, I3, I4 (and J2 for
 * the noise term) are those of Saad & Solla (1995) and Goldt et al. (2019), kept so that the
 * right-hand sides read like the papers' equations; each is defined by its comment below.
 */
import type { DD } from './dd.js';

export interface GaussianExpectations {
  /** E[σ(a) σ(b)]: the population loss (2×2 covariance). */
  I2(C: ArrayLike<number>): number;
  /** E[σ'(a) σ'(b)]: the label-noise part of the SGD-noise term (2×2). */
  J2(C: ArrayLike<number>): number;
  /** E[σ'(a) b σ(c)]: the gradient-flow (η-linear) part of dQ and dM (3×3). */
  I3(C: ArrayLike<number>): number;
  /** E[σ'(a) σ'(b) σ(c) σ(d)]: the SGD-noise (η²) part of dQ (4×4). */
  I4(C: ArrayLike<number>): number;
}

/**
 * The same expectations in double-double arithmetic (dd.ts), for the ODE near a zero-loss point
 * (ode/deviation.ts), where sums of them cancel to O(ε). Covariances are given as double-doubles.
 */
export interface ExactExpectations {
  I2(C: readonly DD[]): DD;
  J2(C: readonly DD[]): DD;
  I3(C: readonly DD[]): DD;
  I4(C: readonly DD[]): DD;
}

/** A pointwise activation with its derivative and its Gaussian expectations. */
export interface Activation {
  readonly name: string;
  sigma(z: number): number;
  dsigma(z: number): number;
  readonly expectations: GaussianExpectations;
  /** Double-double closed forms, where the activation has them (erf, square, linear). */
  readonly exact?: ExactExpectations;
}
