/**
 * Shared by the Hessian claims: whether a spectrum's counts of negative, zero and positive
 * eigenvalues are robust, i.e. would not change if the zero tolerance (relative 10⁻⁸ of the
 * largest |λ|, src/analysis/hessian.ts) were 100 times smaller or larger: no eigenvalue lies
 * within two decades of it. That is the margin of an integer count.
 */
import type { HessianSpectrum } from '../../src/index.js';

export const COUNT_MARGIN = 100;

export function countsRobust(h: HessianSpectrum): boolean {
  return h.eigenvalues.every((v) => Math.abs(v) < h.tolerance / COUNT_MARGIN || Math.abs(v) > h.tolerance * COUNT_MARGIN);
}

export const countsText = (h: HessianSpectrum) => `${h.negative} / ${h.zero} / ${h.positive}`;
